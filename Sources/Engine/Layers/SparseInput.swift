// The first layer over a sparse input batch (issue 12): the batch's nonzero pixels, gathered in one
// pass over its bytes, and the C kernels (CSparseKernels) that touch only those, split over threads.
import CSparseKernels
import MNISTData

/// A kernel variant of CSparseKernels (one per instruction set).
public enum SparseKernelVariant: String, CaseIterable, Sendable {
    case scalar, avx2, avx512, neon

    var id: sk_kernel_id {
        switch self {
        case .scalar: SK_KERNEL_SCALAR
        case .avx2: SK_KERNEL_AVX2
        case .avx512: SK_KERNEL_AVX512
        case .neon: SK_KERNEL_NEON
        }
    }

    /// Whether this build runs it on this CPU.
    public var isSupported: Bool { sk_kernels_for(id) != nil }

    /// Every variant this CPU runs, the portable one first.
    public static var supported: [SparseKernelVariant] { allCases.filter(\.isSupported) }

    /// The fastest variant this CPU runs (the benchmark's `kernel`).
    public static var best: SparseKernelVariant {
        let id = sk_kernels_best().pointee.id
        return allCases.first { $0.id == id } ?? .scalar
    }
}

/// A batch of first-layer inputs `X [batch, inputSize] = byte / 255`, held sparse, and the first
/// layer's forward pass and weight update over it (`W0 [inputSize, hidden]`, row-major):
///
///     forward   Z1 = X·W0 + b0            (optionally max(·, 0))         ~ nnz·hidden multiply-adds
///     update    W0 = β·W0 + α·Xᵀ·dZ1,  b0 = β·b0 + α·Σ_rows dZ1            (α = -lr: the fused SGD step;
///                                                                           α = 1, β = 0: the gradient)
///
/// Buffers (allocated once in `init`; nothing per batch):
///
///     rowStart [maxBatch + 1], columns / values [maxBatch·inputSize]   CSR: image r's nonzero pixels
///     rowBands [maxBatch, rowBands + 1], columnBands [imageBands + 1, inputSize]   where the bands start
///     columnStart [inputSize + 1], rows / columnValues [same]          CSC: pixel k's images (for the update)
///     columnCount [inputSize]                                           images per pixel
///     sliceCounts, cursors [threads, inputSize], sliceRows [threads]    the builds split over threads
///     active, columnSlot [inputSize]                                    active columns; k -> index among them
///     panels [threads, inputSize + maxBatch, panel]                      packed panels, one per thread
///
/// Results do not depend on `threads` (the kernels split the output columns, and each output element
/// is computed the same way whatever the split). Not thread-safe: one owner at a time.
public final class SparseInput {
    public let inputSize: Int
    public let maxBatch: Int
    public let variant: SparseKernelVariant
    /// Threads the kernels split their columns over (the engine's `--threads`; fewer only if the
    /// system refused to start more).
    public var threads: Int { Int(sk_pool_threads(pool)) }

    private let kernels: UnsafePointer<sk_kernels>
    /// The worker threads (`threads - 1` of them, started here, stopped in deinit); the hidden
    /// layers' row-split GEMMs run on them too (`ParallelLinear`).
    let pool: OpaquePointer
    private let rowStart: UnsafeMutablePointer<Int32>
    /// Where each image's entries of each pixel band start [maxBatch, rowBands + 1] (the forward pass's bands).
    private let rowBands: UnsafeMutablePointer<Int32>
    /// Where each pixel's entries of each image band start [imageBands + 1, inputSize] (the update's bands).
    private let columnBands: UnsafeMutablePointer<Int32>
    private let columns: UnsafeMutablePointer<Int32>
    private let values: UnsafeMutablePointer<Float>
    private let columnCount: UnsafeMutablePointer<Int32>
    private let columnStart: UnsafeMutablePointer<Int32>
    private let rows: UnsafeMutablePointer<Int32>
    private let columnValues: UnsafeMutablePointer<Float>
    /// Per slice of a build split over the pool: its column counts [threads, inputSize], its end row
    /// [threads], and its CSC cursors [threads, inputSize] (`sk_build_csr_parallel`).
    private let sliceCounts: UnsafeMutablePointer<Int32>
    private let sliceRows: UnsafeMutablePointer<Int32>
    private let cursors: UnsafeMutablePointer<Int32>
    /// The active columns of the batch, ascending [activeColumnCount], and each column's index among them.
    private let active: UnsafeMutablePointer<Int32>
    private let columnSlot: UnsafeMutablePointer<Int32>
    /// Per thread: a packed column panel of W0 [inputSize, panel] or of dZ1 [maxBatch, panel].
    private let panels: UnsafeMutablePointer<Float>
    private let panelFloats: Int
    /// Whether the CSC belongs to the current batch (built on the first update after a load).
    private var transposed = false

    /// Images in the current batch.
    public private(set) var batch = 0
    /// Nonzero pixels in the current batch.
    public private(set) var nonzeroCount = 0
    /// Input columns nonzero in some image of the current batch (what the dense path's compaction keeps).
    public private(set) var activeColumnCount = 0

    /// `variant` must be supported here (`SparseKernelVariant.supported`); `threads` >= 1.
    public init(inputSize: Int, maxBatch: Int, variant: SparseKernelVariant = .best, threads: Int = 1) {
        guard let kernels = sk_kernels_for(variant.id) else {
            preconditionFailure("sparse kernel variant \(variant.rawValue) is not supported on this CPU (callers pick from SparseKernelVariant.supported)")
        }
        precondition(inputSize > 0 && maxBatch > 0 && threads >= 1, "shapes are validated by the caller")
        precondition(Self.fits(inputSize: inputSize, maxBatch: maxBatch), "CSR offsets are Int32 (callers check `fits`)")
        self.inputSize = inputSize
        self.maxBatch = maxBatch
        self.variant = variant
        self.kernels = kernels
        guard let pool = sk_pool_create(Int32(threads)) else {
            preconditionFailure("out of memory creating the sparse kernels' thread pool")  // a few bytes: as any allocation failing
        }
        self.pool = pool
        let capacity = maxBatch * inputSize
        rowStart = .allocateFilled(maxBatch + 1)
        rowBands = .allocateFilled(maxBatch * (Int(sk_row_bands(Int64(inputSize))) + 1))
        columnBands = .allocateFilled((Int(sk_image_bands(Int32(maxBatch))) + 1) * inputSize)
        columns = .allocateFilled(capacity)
        values = .allocateZeroed(capacity)
        columnCount = .allocateFilled(inputSize)
        columnStart = .allocateFilled(inputSize + 1)
        rows = .allocateFilled(capacity)
        columnValues = .allocateZeroed(capacity)
        let poolThreads = Int(sk_pool_threads(pool))
        sliceCounts = .allocateFilled(poolThreads * inputSize)
        sliceRows = .allocateFilled(poolThreads)
        cursors = .allocateFilled(poolThreads * inputSize)
        active = .allocateFilled(inputSize)
        columnSlot = .allocateFilled(inputSize)
        panelFloats = (inputSize + maxBatch) * Int(kernels.pointee.panel)
        panels = .allocateZeroed(poolThreads * panelFloats)
    }

    deinit {
        rowStart.deallocate(); rowBands.deallocate(); columnBands.deallocate(); columns.deallocate()
        values.deallocate(); columnCount.deallocate(); columnStart.deallocate(); rows.deallocate()
        columnValues.deallocate(); sliceCounts.deallocate(); sliceRows.deallocate(); cursors.deallocate()
        active.deallocate(); columnSlot.deallocate(); panels.deallocate()
        sk_pool_destroy(pool)
    }

    // MARK: Loading a batch

    /// Gathers images `indices` of `images` (valid, at most `maxBatch`, `pixelsPerImage == inputSize`);
    /// in the same pass, X itself into `dense` [batch, inputSize] when given (the dense fallback).
    public func load(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>,
                     dense: UnsafeMutablePointer<Float>? = nil) {
        build(images, indices: indices.baseAddress, first: 0, count: indices.count, dense: dense)
    }

    /// Gathers the contiguous images `range` (evaluation).
    public func load(_ images: LabeledImages, range: Range<Int>, dense: UnsafeMutablePointer<Float>? = nil) {
        build(images, indices: nil, first: range.lowerBound, count: range.count, dense: dense)
    }

    /// Image `r` of the batch is image `indices[r]`, or `first + r` when `indices` is nil (`InputBatch`).
    func load(_ images: LabeledImages, indices: UnsafePointer<Int32>?, first: Int, count: Int) {
        build(images, indices: indices, first: first, count: count, dense: nil)
    }

    /// Whether batches of `maxBatch` images of `inputSize` pixels fit the kernels' Int32 offsets.
    static func fits(inputSize: Int, maxBatch: Int) -> Bool {
        let (capacity, overflow) = maxBatch.multipliedReportingOverflow(by: inputSize)
        return !overflow && capacity <= Int(Int32.max)
    }

    /// The bytes `init` allocates (the run's memory estimate): the CSR and CSC, the bands, the
    /// per-thread build state and the panels (sized for the widest variant, AVX-512's 128 columns).
    static func bytes(inputSize: Int, maxBatch: Int, threads: Int) -> Double {
        let entries = Double(maxBatch) * Double(inputSize), float = 4.0
        let (input, batch) = (Double(inputSize), Double(maxBatch))
        let bands = batch * (Double(sk_row_bands(Int64(inputSize))) + 1)
            + (Double(sk_image_bands(Int32(clamping: maxBatch))) + 1) * input
        return 4 * entries * float + Double(threads) * (input + batch) * 128 * float
            + (batch + 5 * input + bands + Double(threads) * (2 * input + 1)) * float
    }

    private func build(_ images: LabeledImages, indices: UnsafePointer<Int32>?, first: Int, count: Int,
                       dense: UnsafeMutablePointer<Float>?) {
        precondition(count <= maxBatch && images.pixelsPerImage == inputSize, "batch shape checked by the caller")
        images.pixels.withUnsafeBufferPointer { pixels in
            guard let base = pixels.baseAddress else { return }
            nonzeroCount = Int(sk_build_csr_parallel(pool, base, Int64(inputSize), indices, Int64(first),
                                                     Int32(count), rowStart, rowBands, columns, values,
                                                     columnCount, sliceCounts, sliceRows, dense))
        }
        batch = count
        activeColumnCount = 0
        for k in 0..<inputSize where columnCount[k] != 0 {
            active[activeColumnCount] = Int32(k)
            columnSlot[k] = Int32(activeColumnCount)
            activeColumnCount += 1
        }
        transposed = false
    }

    // MARK: The dense fallback

    /// The input columns nonzero in some image of the batch, ascending [activeColumnCount].
    public var activeColumns: UnsafePointer<Int32> { UnsafePointer(active) }

    /// X [batch, inputSize] from the sparse batch (a pass over its nonzeros).
    public func expand(into x: UnsafeMutablePointer<Float>) {
        sk_csr_to_dense(Int32(batch), rowStart, columns, values, nil, Int64(inputSize), x)
    }

    /// X restricted to `activeColumns` [batch, activeColumnCount]: the engine's compacted input.
    public func expandCompacted(into x: UnsafeMutablePointer<Float>) {
        sk_csr_to_dense(Int32(batch), rowStart, columns, values, columnSlot, Int64(activeColumnCount), x)
    }

    // MARK: Choosing sparse or dense

    /// The sparse kernels' share of the work of the dense path as the engine runs it (a GEMM over the
    /// active columns only): nnz / (batch · active columns). 1 for a batch with no zero pixel among its
    /// active columns; about 0.27 for a shuffled MNIST batch of 256, 0.5 for Fashion-MNIST.
    public var density: Double {
        Self.density(nonzeros: nonzeroCount, batch: batch, activeColumns: activeColumnCount)
    }

    /// The same measure from counts (a batch surveyed, not loaded: `InputBatch`'s dense-first gather).
    static func density(nonzeros: Int, batch: Int, activeColumns: Int) -> Double {
        batch == 0 || activeColumns == 0 ? 0 : Double(nonzeros) / Double(batch * activeColumns)
    }

    /// Below this density the sparse kernels beat the engine's dense step. Measured with
    /// `mnist-tui-bench --first-layer` (hidden 512, batch 256) on a 2-core Zen 2 (AVX2), sparse /
    /// dense time of the whole first-layer step, unpinned / OPENBLAS_CORETYPE=Haswell, on a loaded
    /// machine (so the crossover is fuzzy). 1 thread, CPU time: random-pixel batches 0.59 / 0.73x at
    /// density 0.25, 0.71 / 0.86x at 0.30, 0.81 / 0.98x at 0.35, 1.06 / 1.12x at 0.40, 1.31 / 1.34x
    /// at 0.50; MNIST (0.27) 0.60 / 0.67x, Fashion-MNIST (0.50) 1.06 / 1.25x. 2 threads, wall time:
    /// 0.78 / 0.61x at 0.30, 0.92 / 1.20x at 0.35. So the crossover lies between 0.33 and 0.45; 0.32
    /// stays below it and above every shuffled MNIST batch of 256 (0.245-0.30: all go sparse), far
    /// below Fashion-MNIST's (0.476-0.523: all go to BLAS). With the banded kernels, on a quiet
    /// machine, the crossover moved to about 0.45 (1 thread, CPU time: 0.86x at 0.35, 0.93x at 0.40,
    /// 1.10x at 0.50); 0.32 stays, for the reasons in docs/sparse-first-layer.md (round 4).
    public static let densityThreshold = 0.32

    /// Whether to run this batch's first layer sparse: a rule on the batch's density alone (so one
    /// seed and thread count still give one run), and only with a vector variant.
    public var prefersSparse: Bool {
        prefersSparse(density: density)
    }

    /// The rule for a batch of this density.
    func prefersSparse(density: Double) -> Bool {
        variant != .scalar && density < Self.densityThreshold
    }

    // MARK: The first layer

    /// `Z1[b, :] = b0 + Σ_k X[b, k]·W0[k, :]` (then `max(·, 0)` when `relu`) for the loaded batch.
    ///     weights [inputSize, hidden], bias [hidden], output [batch, hidden]
    public func forward(weights: UnsafePointer<Float>, bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        hidden: Int, relu: Bool) {
        sk_forward_parallel(pool, kernels, Int32(batch), Int64(inputSize), rowBands, columns, values, weights,
                            Int64(hidden), bias, output, Int64(hidden), Int64(hidden), relu ? 1 : 0, panels,
                            Int64(panelFloats))
    }

    /// `W0 = beta·W0 + alpha·Xᵀ·dZ1` over every row of W0, and the bias likewise when `bias` is given:
    /// with alpha = -lr, beta = 1 - lr·weightDecay it is the SGD step (rows of pixels dark in the whole
    /// batch are not touched when beta == 1).
    ///     dOutput [batch, hidden], weights [inputSize, hidden], bias [hidden]
    public func update(dOutput: UnsafePointer<Float>, weights: UnsafeMutablePointer<Float>,
                       bias: UnsafeMutablePointer<Float>?, hidden: Int, alpha: Float, beta: Float) {
        transpose()
        sk_update_parallel(pool, kernels, Int32(batch), Int64(inputSize), columnStart, columnBands, rows, columnValues,
                           dOutput, Int64(hidden), weights, Int64(hidden), bias, alpha, beta, Int64(hidden), panels,
                           Int64(panelFloats))
    }

    /// `dW0 = Xᵀ·dZ1` and `db0 = Σ_rows dZ1` into gradient buffers (every row written), for optimisers
    /// that make their own pass (momentum, Adam).
    public func gradient(dOutput: UnsafePointer<Float>, dWeights: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, hidden: Int) {
        update(dOutput: dOutput, weights: dWeights, bias: dBias, hidden: hidden, alpha: 1, beta: 0)
    }

    /// Builds the CSC of the loaded batch once.
    private func transpose() {
        guard !transposed else { return }
        _ = sk_build_csc_parallel(pool, Int32(batch), Int64(inputSize), rowStart, columns, values, sliceCounts,
                                  sliceRows, columnStart, columnBands, rows, columnValues, cursors)
        transposed = true
    }
}

extension UnsafeMutablePointer where Pointee == Int32 {
    static func allocateFilled(_ count: Int) -> UnsafeMutablePointer<Int32> {
        let pointer = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: 0, count: Swift.max(count, 1))
        return pointer
    }
}
