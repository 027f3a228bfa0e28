// The trainer's compacted batch load (`InputBatch.loadCompacted`) of a batch that goes to BLAS must
// be the same computation as the full load followed by `compactColumns`, bit for bit, in both of its
// outcomes, whichever way the gather starts (the survey first: `.dense`; the sparse batch first, then
// expanded: a fresh `.automatic` batch of data too dense for the kernels).
import MNISTData
import Testing
@testable import Engine

@Suite("Compacted batch load")
struct CompactedLoadTests {
    /// 20 images of 6x6 bytes; columns in `zeroColumns` are 0 in every image, the rest take every
    /// byte value 0...255 somewhere (so the pixel table is checked against the division throughout).
    func images(zeroColumns: Set<Int>) -> LabeledImages {
        let count = 20, size = 36
        var pixels: [UInt8] = []
        for image in 0..<count {
            for column in 0..<size {
                pixels.append(zeroColumns.contains(column) ? 0 : UInt8((image * 37 + column * 11) % 256))
            }
        }
        return LabeledImages(count: count, rows: 6, cols: 6, pixels: pixels, labels: (0..<count).map { UInt8($0 % 4) })
    }

    /// Loads batch `indices` both ways into two identically initialised networks, runs forward and a
    /// plain SGD step on each, and expects identical losses, probabilities and parameters.
    func compareBothWays(_ data: LabeledImages, indices: [Int32], expectCompacted: Bool,
                         path: FirstLayerPath = .dense) {
        let batch = indices.count
        func network() -> MLP {
            let mlp = MLP(layerSizes: [36, 7, 4], maxBatch: batch)
            var generator = SeededGenerator(seed: 21)
            mlp.initialize(.default, generator: &generator)
            return mlp
        }
        let reference = network(), fused = network()
        let referenceInput = InputBatch(maxBatch: batch, inputSize: 36), fusedInput = InputBatch(maxBatch: batch, inputSize: 36)
        referenceInput.firstLayerPath = .dense
        fusedInput.firstLayerPath = path
        indices.withUnsafeBufferPointer { indices in
            referenceInput.load(data, indices: indices)
            referenceInput.compactColumns(batch: batch)
            fusedInput.loadCompacted(data, indices: indices)
        }
        #expect(!fusedInput.isSparse)
        #expect(fusedInput.activeColumnCount == referenceInput.activeColumnCount)
        #expect((fusedInput.activeColumnCount > 0) == expectCompacted)
        if !expectCompacted {
            // The fallback fills the full input exactly as load does.
            for i in 0..<(batch * 36) { #expect(fusedInput.input[i] == referenceInput.input[i]) }
        }
        for row in 0..<batch { #expect(fusedInput.labels[row] == referenceInput.labels[row]) }
        let referenceLoss = reference.forward(referenceInput, batch: batch), fusedLoss = fused.forward(fusedInput, batch: batch)
        #expect(fusedLoss == referenceLoss)
        for i in 0..<(batch * 4) { #expect(fused.probabilities[i] == reference.probabilities[i]) }
        makeSGD(reference).step(reference, input: referenceInput, batch: batch, learningRate: 0.3)
        makeSGD(fused).step(fused, input: fusedInput, batch: batch, learningRate: 0.3)
        #expect(fused.parameterArray() == reference.parameterArray())
    }

    @Test("many all-zero columns: compacted, same loss and step as loadBatch + compactInputColumns")
    func compacted() {
        compareBothWays(images(zeroColumns: Set(0..<10)), indices: [3, 17, 0, 9, 9, 12, 5, 19], expectCompacted: true)
    }

    @Test("few all-zero columns: full load, same as loadBatch")
    func fallback() {
        compareBothWays(images(zeroColumns: [4, 30]), indices: [1, 2, 8, 15, 11], expectCompacted: false)
    }

    @Test("a dense batch gathered sparse first and expanded is the same batch, compacted or full")
    func expandedFromSparse() {
        // Few zero pixels: the density rule sends both to BLAS after the gather built the sparse batch.
        compareBothWays(images(zeroColumns: Set(0..<10)), indices: [3, 17, 0, 9, 9, 12, 5, 19], expectCompacted: true,
                        path: .automatic)
        compareBothWays(images(zeroColumns: [4, 30]), indices: [1, 2, 8, 15, 11], expectCompacted: false,
                        path: .automatic)
    }

    @Test("a column that is non-zero in one image of the batch only stays active")
    func singleNonZeroPixel() {
        var pixels = [UInt8](repeating: 0, count: 4 * 36)
        pixels[2 * 36 + 33] = 1   // image 2, column 33: the smallest non-zero byte
        pixels[0 * 36 + 7] = 255
        let data = LabeledImages(count: 4, rows: 6, cols: 6, pixels: pixels, labels: [0, 1, 2, 3])
        let input = InputBatch(maxBatch: 4, inputSize: 36)
        input.firstLayerPath = .dense  // two pixels: sparse enough for the kernels otherwise
        [Int32](arrayLiteral: 0, 1, 2, 3).withUnsafeBufferPointer { input.loadCompacted(data, indices: $0) }
        #expect(input.activeColumnCount == 2)
        compareBothWays(data, indices: [0, 1, 2, 3], expectCompacted: true)
    }
}
