import Foundation

/// `--json`: one object, `{"unpinned": {...}, "inherited": {...}}` ("inherited" left out when the
/// environment pins nothing, as then it is the unpinned one), seconds per epoch as medians.
struct BenchJSON: Encodable {
    struct Environment: Encodable {
        /// The engine's first-layer kernel variant ("avx512", "avx2", "neon", "scalar").
        var kernel: String
        /// OpenBLAS's kernels (`openblas_get_corename`).
        var blasKernel: String
        var floorSeconds: Double
        var engineSeconds: Double
        /// Left out when numpy was skipped.
        var numpySeconds: Double?
        /// The first layer's step per batch, dense (BLAS) and sparse, medians.
        var firstLayerDenseSeconds: Double
        var firstLayerSparseSeconds: Double

        enum CodingKeys: String, CodingKey {
            case kernel, blasKernel = "blas_kernel", floorSeconds = "floor_seconds", engineSeconds = "engine_seconds"
            case numpySeconds = "numpy_seconds", firstLayerDenseSeconds = "first_layer_dense_seconds"
            case firstLayerSparseSeconds = "first_layer_sparse_seconds"
        }

        init(_ comparison: Comparison) {
            kernel = comparison.engine.sparseKernel
            blasKernel = comparison.engine.kernel
            floorSeconds = comparison.engine.gemmFloorPerEpoch
            engineSeconds = comparison.engine.engineMedian
            numpySeconds = comparison.numpyMedian
            firstLayerDenseSeconds = comparison.engine.firstLayer.denseSeconds
            firstLayerSparseSeconds = comparison.engine.firstLayer.sparseSeconds
        }
    }

    var unpinned: Environment?
    var inherited: Environment?

    init(_ comparisons: [Comparison]) {
        unpinned = comparisons.first { $0.environment == .unpinned }.map(Environment.init)
        inherited = comparisons.first { $0.environment == .inherited }.map(Environment.init)
    }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
