// The gradient checks through the sparse first layer (issue 12): finite differences of the loss as
// the sparse kernels compute it, and every gradient target (fused SGD step, momentum, beta-scaled
// buffers) against the dense path's.
import MNISTData
import Testing
@testable import Engine

extension GradientCheckTests {
    /// Five 4x4 byte images whose pixels 0-5 and 12 are dark in all of them (like MNIST's border),
    /// the rest varying, a few of them zero too.
    static let sparseImages: LabeledImages = {
        var generator = SeededGenerator(seed: 16)
        let pixels = (0..<(5 * 16)).map { i -> UInt8 in
            let pixel = i % 16, byte = UInt8(truncatingIfNeeded: generator.next() % 256)
            return pixel < 6 || pixel == 12 || byte < 40 ? 0 : byte
        }
        return LabeledImages(count: 5, rows: 4, cols: 4, pixels: pixels, labels: [0, 1, 2, 1, 0])
    }()

    /// A [16, 6, 4, 3] network and the five images as one batch, gathered in `path`'s form.
    func byteBatch(_ path: FirstLayerPath) -> (MLP, InputBatch) {
        let mlp = MLP(layerSizes: [16, 6, 4, 3], maxBatch: 5)
        var generator = SeededGenerator(seed: 17)
        mlp.initialize(.default, generator: &generator)
        let input = InputBatch(maxBatch: 5, inputSize: 16, threads: 2)
        input.firstLayerPath = path
        [Int32](arrayLiteral: 4, 0, 2, 1, 3).withUnsafeBufferPointer { input.loadCompacted(Self.sparseImages, indices: $0) }
        #expect(input.isSparse == (path == .sparse))
        return (mlp, input)
    }

    @Test("sparse first layer: every parameter's gradient against finite differences")
    func sparseWholeMLP() {
        let (mlp, input) = byteBatch(.sparse)
        let analytic = checkAgainstFiniteDifferences(mlp, input, batch: 5, "MLP parameters, sparse first layer")
        #expect(input.isSparse)  // still: the forward passes of the differences ran the kernels
        // W0's rows of lit pixels do get a gradient (the check is not vacuous there).
        #expect(analytic[(6 * 6)..<(12 * 6)].contains { abs($0) > 1e-3 })
    }

    @Test("sparse first layer: loss, gradient, SGD step, momentum and beta targets equal the dense path's")
    func sparseTargetsMatchDense() {
        let (dense, denseInput) = byteBatch(.dense), (sparse, sparseInput) = byteBatch(.sparse)
        let batch = 5, count = sparse.parameterCount, lr: Float = 0.5
        let before = sparse.parameterArray()
        #expect(abs(sparse.forward(sparseInput, batch: batch) - dense.forward(denseInput, batch: batch)) < 1e-5)
        let g = gradient(sparse, sparseInput, batch: batch), reference = gradient(dense, denseInput, batch: batch)
        for i in 0..<count { #expect(abs(g[i] - reference[i]) < 1e-6, "gradient \(i)") }
        // Dark pixels' rows get exactly zero (the kernels write every row of a gradient).
        for pixel in [0, 5, 12] { for j in 0..<6 { #expect(g[pixel * 6 + j] == 0) } }

        // alpha 2, beta 0.5 over garbage: every entry becomes 0.5·old + 2·gradient.
        var buffer = values(count, seed: 18)
        let expected = (0..<count).map { 0.5 * buffer[$0] + 2 * reference[$0] }
        buffer.withUnsafeMutableBufferPointer { target in
            sparse.backward(sparseInput, batch: batch, into: GradientTarget(buffer: target.baseAddress!, alpha: 2, beta: 0.5))
        }
        for i in 0..<count { #expect(abs(buffer[i] - expected[i]) < 1e-5, "target \(i)") }

        // The fused SGD step: θ - lr·∇L, dark pixels' rows untouched bit for bit.
        makeSGD(sparse).step(sparse, input: sparseInput, batch: batch, learningRate: lr)
        let stepped = sparse.parameterArray()
        for i in 0..<count { #expect(abs(stepped[i] - (before[i] - lr * reference[i])) < 1e-6, "step \(i)") }
        for pixel in [0, 5, 12] { for j in 0..<6 { #expect(stepped[pixel * 6 + j] == before[pixel * 6 + j]) } }

        // Momentum 0.9 and weight decay 0.1, two steps on the batch, against the dense path's.
        sparse.load(parameters: before); dense.load(parameters: before)
        let sparseSGD = makeSGD(sparse, momentum: 0.9, weightDecay: 0.1), denseSGD = makeSGD(dense, momentum: 0.9, weightDecay: 0.1)
        for _ in 0..<2 {
            sparse.forward(sparseInput, batch: batch); dense.forward(denseInput, batch: batch)
            sparseSGD.step(sparse, input: sparseInput, batch: batch, learningRate: lr)
            denseSGD.step(dense, input: denseInput, batch: batch, learningRate: lr)
        }
        let a = sparse.parameterArray(), b = dense.parameterArray()
        for i in 0..<count { #expect(abs(a[i] - b[i]) < 1e-5, "momentum \(i)") }
    }
}
