// Batch gathering: images (bytes) -> the network's input rows (floats in [0, 1]) and labels, with
// the zero-column compaction that lets the first layer skip pixels that are 0 in every image of
// the batch. The first layer (MLP.forward / MLP.backward, layer 0) reads what is gathered here;
// a sparse representation of the batch would be built here too.
import MNISTData

/// The input side of a batch, in preallocated buffers (nothing is allocated per batch):
///
///     input          [maxBatch, inputSize]  scaled pixels (valid when `activeColumnCount == 0`)
///     labels         [maxBatch] Int32
///     compactInput   [maxBatch, activeColumnCount] the input restricted to its active columns
///     activeColumns  [activeColumnCount] ascending column indices (valid when compacted)
///
/// Not thread-safe; one owner (the trainer's queue) uses it at a time.
public final class InputBatch {
    public let maxBatch: Int
    /// Pixels per image (the first layer's fan-in).
    public let inputSize: Int

    /// The full input rows `[maxBatch, inputSize]` (tests fill it directly).
    public let input: UnsafeMutablePointer<Float>
    public let labels: UnsafeMutablePointer<Int32>
    /// `[maxBatch, inputSize]` of room; rows of `activeColumnCount` floats when compacted.
    let compactInput: UnsafeMutablePointer<Float>
    let activeColumns: UnsafeMutablePointer<Int32>
    /// Active columns of the current batch when compacted; 0 = not compacted (use `input`).
    public private(set) var activeColumnCount = 0

    /// Per input column: max over the batch (0 = zero in every row); `compactColumns` scratch.
    private let columnMax: UnsafeMutablePointer<Float>
    /// Per input column: OR of its pixel bytes over the batch; `loadCompacted` scratch.
    private let columnBits: UnsafeMutablePointer<UInt8>
    /// `pixelScale[b] == Float(b) / 255`, the very values `scalePixels` computes (a table, so the
    /// compacted gather converts a pixel with one load instead of a division).
    private let pixelScale: UnsafeMutablePointer<Float>

    public init(maxBatch: Int, inputSize: Int) {
        precondition(maxBatch > 0 && inputSize > 0, "shapes are validated by TrainingConfig.validate first")
        self.maxBatch = maxBatch
        self.inputSize = inputSize
        input = .allocateZeroed(maxBatch * inputSize)
        labels = .allocate(capacity: maxBatch); labels.initialize(repeating: 0, count: maxBatch)
        compactInput = .allocateZeroed(maxBatch * inputSize)
        activeColumns = .allocate(capacity: inputSize); activeColumns.initialize(repeating: 0, count: inputSize)
        columnMax = .allocateZeroed(inputSize)
        columnBits = .allocate(capacity: inputSize); columnBits.initialize(repeating: 0, count: inputSize)
        pixelScale = .allocate(capacity: 256)
        for byte in 0..<256 { pixelScale[byte] = Float(byte) / 255 }
    }

    deinit {
        input.deallocate(); labels.deallocate(); compactInput.deallocate(); activeColumns.deallocate()
        columnMax.deallocate(); columnBits.deallocate(); pixelScale.deallocate()
    }

    /// Marks the batch as not compacted (for tests that fill `input` by hand).
    public func useFullInput() { activeColumnCount = 0 }

    // MARK: Full loads

    /// Gathers images `indices` of `images` into `input`, scaled to [0, 1], and their labels.
    /// Indices must be valid and `indices.count <= maxBatch` (the trainer guarantees both).
    public func load(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        gather(images, rows: indices)
    }

    /// Gathers the contiguous images `range` (evaluation).
    public func load(_ images: LabeledImages, range: Range<Int>) {
        gather(images, rows: range)
    }

    /// Row `k` of `input` and label `k` come from image `rows[k]` (specialised per caller).
    private func gather<Rows: Sequence>(_ images: LabeledImages, rows: Rows) where Rows.Element: BinaryInteger {
        activeColumnCount = 0
        let size = inputSize
        let x = input
        images.pixels.withUnsafeBufferPointer { pixels in
            images.labels.withUnsafeBufferPointer { imageLabels in
                guard let source = pixels.baseAddress, let labelBase = imageLabels.baseAddress else { return }
                for (row, element) in rows.enumerated() {
                    let index = Int(element)
                    scalePixels(source + index * size, into: x + row * size, count: size)
                    labels[row] = Int32(labelBase[index])
                }
            }
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

    /// `load(_:indices:)` and `compactColumns(batch:)` in one, from the pixel bytes: finds the
    /// active columns by OR-ing the batch's bytes, then scales only those pixels, straight into
    /// `compactInput` (the same Float values, so the same run bit for bit, without scaling,
    /// scanning and copying the full float batch). When compaction does not pay it loads the full
    /// batch instead, exactly as `load` does. After a compacted load `input` is *not* filled.
    public func loadCompacted(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        activeColumnCount = 0
        let size = inputSize
        images.pixels.withUnsafeBufferPointer { pixels in
            images.labels.withUnsafeBufferPointer { imageLabels in
                guard let source = pixels.baseAddress, let labelBase = imageLabels.baseAddress else { return }
                // Which columns are non-zero anywhere in the batch (16 bytes at a time).
                columnBits.update(repeating: 0, count: size)
                for (row, index) in indices.enumerated() {
                    let image = source + Int(index) * size
                    var j = 0
                    while j + 16 <= size {
                        let bits = UnsafeRawPointer(columnBits + j).loadUnaligned(as: SIMD16<UInt8>.self)
                        let bytes = UnsafeRawPointer(image + j).loadUnaligned(as: SIMD16<UInt8>.self)
                        UnsafeMutableRawPointer(columnBits + j).storeBytes(of: bits | bytes, as: SIMD16<UInt8>.self)
                        j += 16
                    }
                    while j < size { columnBits[j] |= image[j]; j += 1 }
                    labels[row] = Int32(labelBase[Int(index)])
                }
                var count = 0
                for j in 0..<size where columnBits[j] != 0 {
                    activeColumns[count] = Int32(j)
                    count += 1
                }
                guard Self.compactionPays(active: count, of: size) else {
                    for (row, index) in indices.enumerated() {
                        scalePixels(source + Int(index) * size, into: input + row * size, count: size)
                    }
                    return
                }
                for (row, index) in indices.enumerated() {
                    let image = source + Int(index) * size, cRow = compactInput + row * count
                    for c in 0..<count { cRow[c] = pixelScale[Int(image[Int(activeColumns[c])])] }
                }
                activeColumnCount = count
            }
        }
    }

    /// At least 1/8 of the columns inactive (below that, gathering W0's rows costs what it saves).
    @inline(__always)
    private static func compactionPays(active: Int, of size: Int) -> Bool {
        active > 0 && active <= size - size / 8
    }
}
