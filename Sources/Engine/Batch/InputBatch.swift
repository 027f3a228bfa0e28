// Batch gathering: images (bytes) -> the first layer's input and the labels. The input takes one of
// two forms, chosen per batch by its density (issue 12, docs/sparse-first-layer.md): sparse (each
// image's nonzero pixels, for the CSparseKernels) or dense (floats in [0, 1] for BLAS, compacted to
// the columns nonzero somewhere in the batch when that pays). The first layer (MLP.forward and
// MLP.backward, layer 0) runs on whichever form the batch has; the other layers only take their
// threading from it (`hiddenLayerPool`, `applyBlasThreads`).
import CSparseKernels
import MNISTData

/// Which form the loads give a batch's first layer.
package enum FirstLayerPath: Sendable {
    /// Per batch, by the density rule (`SparseInput.prefersSparse`): what every run uses.
    case automatic
    /// Dense (BLAS) always: the arithmetic of before the sparse kernels (tests and the benchmark compare).
    case dense
    /// Sparse always, whatever the density (tests: gradient checks through the kernels).
    case sparse
}

/// The input side of a batch, in preallocated buffers (nothing is allocated per batch):
///
///     sparse         the batch's nonzero pixels (CSR) and the first layer's kernels (valid when `isSparse`)
///     input          [maxBatch, inputSize]  scaled pixels (valid when dense and `activeColumnCount == 0`)
///     labels         [maxBatch] Int32
///     compactInput   [maxBatch, activeColumnCount] the input restricted to its active columns
///     activeColumns  [activeColumnCount] ascending column indices (valid when compacted)
///
/// Not thread-safe; one owner (the trainer's queue) uses it at a time.
public final class InputBatch {
    public let maxBatch: Int
    /// Pixels per image (the first layer's fan-in).
    public let inputSize: Int
    /// The run's threads (`--threads`): the kernels' pool and, for dense batches, OpenBLAS's.
    public let threads: Int

    /// The full input rows `[maxBatch, inputSize]` (tests fill it directly).
    public let input: UnsafeMutablePointer<Float>
    public let labels: UnsafeMutablePointer<Int32>
    /// `[maxBatch, inputSize]` of room; rows of `activeColumnCount` floats when compacted.
    let compactInput: UnsafeMutablePointer<Float>
    let activeColumns: UnsafeMutablePointer<Int32>
    /// Active columns of the current batch when compacted; 0 = not compacted (use `input`).
    public private(set) var activeColumnCount = 0

    /// The batch's nonzero pixels and the first layer's kernels over them (its pool has the run's
    /// `--threads`); nil when a batch would overflow their Int32 offsets (dense path only).
    let sparse: SparseInput?
    /// Whether the current batch is held sparse, in `sparse` (else dense, in `input` or `compactInput`).
    public private(set) var isSparse = false
    /// Which form the loads choose (`.automatic` outside tests and the benchmark).
    package var firstLayerPath = FirstLayerPath.automatic
    /// Whether a sparse batch on two threads or more runs its hidden layers' GEMMs split by rows over
    /// the kernels' threads (`ParallelLinear`), else on OpenBLAS's threads (the benchmark compares).
    package var splitsHiddenLayers = true
    /// Whether a load starts by building the sparse batch (else by surveying it and gathering it
    /// dense): the last batch's form, a guess that spares a pass in a run of alike batches. The form
    /// itself follows each batch's own density, so the guess changes the time taken, never a bit.
    private var expectSparse: Bool

    /// Per input column: max over the batch (0 = zero in every row); `compactColumns` scratch.
    private let columnMax: UnsafeMutablePointer<Float>
    /// Per input column: OR of its pixel bytes over the batch; the survey's output.
    private let columnBits: UnsafeMutablePointer<UInt8>
    /// `pixelScale[b] == Float(b) / 255`, the very values `scalePixels` computes (a table, so the
    /// compacted gather converts a pixel with one load instead of a division).
    private let pixelScale: UnsafeMutablePointer<Float>

    /// `threads`: the sparse kernels' (the run's `--threads`; results do not depend on it).
    public init(maxBatch: Int, inputSize: Int, threads: Int = 1) {
        precondition(maxBatch > 0 && inputSize > 0 && threads > 0, "shapes are validated by TrainingConfig.validate first")
        self.maxBatch = maxBatch
        self.inputSize = inputSize
        self.threads = threads
        input = .allocateZeroed(maxBatch * inputSize)
        labels = .allocate(capacity: maxBatch); labels.initialize(repeating: 0, count: maxBatch)
        compactInput = .allocateZeroed(maxBatch * inputSize)
        activeColumns = .allocate(capacity: inputSize); activeColumns.initialize(repeating: 0, count: inputSize)
        let fits = SparseInput.fits(inputSize: inputSize, maxBatch: maxBatch)
        sparse = fits ? SparseInput(inputSize: inputSize, maxBatch: maxBatch, threads: threads) : nil
        expectSparse = sparse.map { $0.variant != .scalar } ?? false
        columnMax = .allocateZeroed(inputSize)
        columnBits = .allocate(capacity: inputSize); columnBits.initialize(repeating: 0, count: inputSize)
        pixelScale = .allocate(capacity: 256)
        for byte in 0..<256 { pixelScale[byte] = Float(byte) / 255 }
    }

    deinit {
        input.deallocate(); labels.deallocate(); compactInput.deallocate(); activeColumns.deallocate()
        columnMax.deallocate(); columnBits.deallocate(); pixelScale.deallocate()
    }

    /// Marks the batch as dense and not compacted (for tests that fill `input` by hand).
    public func useFullInput() { activeColumnCount = 0; isSparse = false }

    /// The sparse batch when the first layer runs on it.
    var sparseBatch: SparseInput? { isSparse ? sparse : nil }

    /// The kernels' threads when this batch's hidden layers split their GEMMs by rows over them (a
    /// sparse batch, two threads or more: `ParallelLinear`), else nil (each GEMM on OpenBLAS's threads).
    var hiddenLayerPool: OpaquePointer? {
        guard splitsHiddenLayers, let sparse = sparseBatch, sparse.threads > 1 else { return nil }
        return sparse.pool
    }

    /// Sets OpenBLAS's thread count (one setting for the whole process) for this batch: one when
    /// its hidden layers split over the kernels' threads (each slice a one-thread GEMM), else the
    /// run's, as before the kernels existed (so a dense run stays the same bit for bit). The
    /// trainer calls it after each load; one-thread runs never change the setting.
    package func applyBlasThreads() {
        guard threads > 1 else { return }
        BlasThreads.set(hiddenLayerPool == nil ? threads : 1)
    }
    /// The sparse kernels and the last batch built for them, if any (the benchmark reads its density).
    package var sparseKernels: SparseInput? { sparse }

    // MARK: Loads

    /// Gathers images `indices` of `images` and their labels; dense in full when the batch goes to BLAS.
    /// Indices must be valid and `indices.count <= maxBatch` (the trainer guarantees both).
    public func load(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        gather(images, indices: indices.baseAddress, first: 0, count: indices.count, compacting: false)
    }

    /// Gathers the contiguous images `range` (evaluation); dense in full when the batch goes to BLAS.
    public func load(_ images: LabeledImages, range: Range<Int>) {
        gather(images, indices: nil, first: range.lowerBound, count: range.count, compacting: false)
    }

    /// `load(_:indices:)`, but a batch that goes to BLAS is restricted to its active columns when
    /// that pays (see `compactColumns`): the same Float values, straight from the bytes, so the same
    /// run bit for bit as a full load followed by `compactColumns`. After a compacted load `input`
    /// is *not* filled.
    public func loadCompacted(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        gather(images, indices: indices.baseAddress, first: 0, count: indices.count, compacting: true)
    }

    /// Row `r` comes from image `indices[r]` (or `first + r` when `indices` is nil). Either the
    /// sparse batch first (one pass over the bytes builds its CSR; expanded to the dense form if the
    /// rule says BLAS after all) or the survey first (one cheap pass counts its nonzeros and active
    /// columns; then the dense gather, or the CSR if the rule says sparse after all); see `expectSparse`.
    private func gather(_ images: LabeledImages, indices: UnsafePointer<Int32>?, first: Int, count: Int,
                        compacting: Bool) {
        precondition(count <= maxBatch && images.pixelsPerImage == inputSize, "batch shape checked by the trainer")
        activeColumnCount = 0
        isSparse = false
        defer { expectSparse = isSparse }
        images.labels.withUnsafeBufferPointer { source in
            for row in 0..<count { labels[row] = Int32(source[indices.map { Int($0[row]) } ?? first + row]) }
        }
        let sparse = firstLayerPath == .dense ? nil : self.sparse
        if let sparse, expectSparse || firstLayerPath == .sparse {
            sparse.load(images, indices: indices, first: first, count: count)
            if firstLayerPath == .sparse || sparse.prefersSparse {
                isSparse = true
                return
            }
            let active = sparse.activeColumnCount
            if compacting && Self.compactionPays(active: active, of: inputSize) {
                activeColumns.update(from: sparse.activeColumns, count: active)
                sparse.expandCompacted(into: compactInput)
                activeColumnCount = active
            } else {
                sparse.expand(into: input)
            }
            return
        }
        images.pixels.withUnsafeBufferPointer { pixels in
            guard let source = pixels.baseAddress else { return }
            let nonzeros = Int(sk_survey(source, Int64(inputSize), indices, Int64(first), Int32(count), columnBits))
            var active = 0
            for j in 0..<inputSize where columnBits[j] != 0 {
                activeColumns[active] = Int32(j)
                active += 1
            }
            if let sparse, sparse.prefersSparse(density: SparseInput.density(nonzeros: nonzeros, batch: count,
                                                                             activeColumns: active)) {
                sparse.load(images, indices: indices, first: first, count: count)
                isSparse = true
                return
            }
            let compacted = compacting && Self.compactionPays(active: active, of: inputSize)
            for row in 0..<count {
                let image = source + (indices.map { Int($0[row]) } ?? first + row) * inputSize
                if compacted {
                    let cRow = compactInput + row * active
                    for c in 0..<active { cRow[c] = pixelScale[Int(image[Int(activeColumns[c])])] }
                } else {
                    scalePixels(image, into: input + row * inputSize, count: inputSize)
                }
            }
            if compacted { activeColumnCount = active }
        }
    }

    /// `x[i] = Float(bytes[i]) / 255` (a true division, as numpy's `/ 255.0` on float32 would give).
    @inline(__always)
    private func scalePixels(_ bytes: UnsafePointer<UInt8>, into x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let scale = SIMD8<Float>(repeating: 255)
        while i + 8 <= count {
            let raw = UnsafeRawPointer(bytes + i).loadUnaligned(as: SIMD8<UInt8>.self)
            store8(SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw)) / scale, x + i)
            i += 8
        }
        while i < count {
            x[i] = Float(bytes[i]) / 255
            i += 1
        }
    }

    // MARK: Compaction

    /// Restricts the batch to the input columns that are non-zero somewhere in its first `batch`
    /// rows (after `load`). On MNIST about 29% of the 784 pixels are zero in every image of a
    /// 256-batch; they add nothing to X·W0 and their rows of W0 get no gradient, so both
    /// first-layer GEMMs shrink by that much (the model gathers W0's rows for the active columns
    /// before the forward pass and scatters them back after an in-place update).
    ///
    /// Exact in real arithmetic; in Float the GEMM's summation order changes with the shapes, so
    /// results differ from the uncompacted path in the last bits (deterministically).
    /// Does nothing when fewer than 1/8 of the columns are inactive.
    public func compactColumns(batch: Int) {
        isSparse = false
        let size = inputSize
        let x = input
        columnMax.update(repeating: 0, count: size)
        for row in 0..<batch {
            let xRow = x + row * size
            var j = 0
            while j + 8 <= size {
                let current = load8(columnMax + j), value = load8(xRow + j)
                store8(current.replacing(with: value, where: value .> current), columnMax + j)
                j += 8
            }
            while j < size { columnMax[j] = max(columnMax[j], xRow[j]); j += 1 }
        }
        var count = 0
        for j in 0..<size where columnMax[j] != 0 {
            activeColumns[count] = Int32(j)
            count += 1
        }
        guard Self.compactionPays(active: count, of: size) else { return }
        for row in 0..<batch {
            let xRow = x + row * size, cRow = compactInput + row * count
            for c in 0..<count { cRow[c] = xRow[Int(activeColumns[c])] }
        }
        activeColumnCount = count
    }

    /// At least 1/8 of the columns inactive (below that, gathering W0's rows costs what it saves).
    @inline(__always)
    private static func compactionPays(active: Int, of size: Int) -> Bool {
        active > 0 && active <= size - size / 8
    }
}
