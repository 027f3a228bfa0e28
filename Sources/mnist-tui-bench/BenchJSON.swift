import Foundation

/// `--json`: one object, `{"unpinned": {...}, "inherited": {...}}` ("inherited" left out when the
/// environment pins nothing, as then it is the unpinned one), seconds per epoch as medians.
struct BenchJSON: Encodable {
    struct Environment: Encodable {
        /// What the engine's first layer ran on most batches: the sparse kernel variant ("avx512",
        /// "avx2", "neon") or "blas" (the density rule kept the batches dense, or no vector variant).
        var kernel: String
        /// OpenBLAS's kernels (`openblas_get_corename`).
        var blasKernel: String
        var floorSeconds: Double
        var engineSeconds: Double
        /// The engine with its first layer forced dense (the arithmetic of before the kernels).
        var engineDenseSeconds: Double
        /// Left out when numpy was skipped.
        var numpySeconds: Double?
        /// The engine's step per batch with its first layer dense (BLAS) and sparse, medians.
        var stepDenseSeconds: Double
        var stepSparseSeconds: Double

        enum CodingKeys: String, CodingKey {
            case kernel, blasKernel = "blas_kernel", floorSeconds = "floor_seconds", engineSeconds = "engine_seconds"
            case engineDenseSeconds = "engine_dense_seconds"
            case numpySeconds = "numpy_seconds", stepDenseSeconds = "step_dense_seconds"
            case stepSparseSeconds = "step_sparse_seconds"
        }

        init(_ comparison: Comparison) {
            kernel = comparison.engine.firstLayer.engineKernel
            blasKernel = comparison.engine.kernel
            floorSeconds = comparison.engine.gemmFloorPerEpoch
            engineSeconds = comparison.engine.engineMedian
            engineDenseSeconds = comparison.engine.engineDenseMedian
            numpySeconds = comparison.numpyMedian
            stepDenseSeconds = comparison.engine.firstLayer.denseSeconds
            stepSparseSeconds = comparison.engine.firstLayer.sparseSeconds
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
