// Layer health (issue 9): the figures against plain loops over a tiny network, and a run's math
// unchanged with them on.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MNISTData
import Testing
@testable import Engine

@Suite("Layer health")
struct LayerHealthTests {
    static let mnist = Result { try Dataset.load(.bundledMNIST) }

    /// 784-8-6-10 on 64 MNIST images in one batch of 64: every step trains on the whole set, so
    /// plain loops can redo it without knowing the shuffled order (its sums do not depend on it).
    static func tinyConfig(_ optimizer: OptimizerKind, momentum: Float = 0) -> TrainingConfig {
        var config = TrainingConfig()
        config.optimizer = optimizer
        config.learningRate = optimizer != .sgd ? 0.01 : momentum > 0 ? 0.05 : 0.5  // momentum at 0.5 kills every ReLU
        config.momentum = momentum
        config.hidden = [8, 6]
        config.initScheme = .default
        config.batchSize = 64
        config.trainLimit = 64
        config.epochs = 3
        config.seed = 11
        config.threads = 1
        return config
    }

    /// The figures of one step by plain loops in Double: the forward pass of `before` (the
    /// parameters the step started from) over every image, the mean loss's weight gradient, and
    /// the weight RMS of `after`. Dead units: zero for every image.
    static func plainFigures(layerSizes: [Int], before: [Float], after: [Float], images: LabeledImages,
                             lr: Float) -> [LayerFigures] {
        let layout = ParameterLayout(layerSizes: layerSizes)!
        let n = images.count, layers = layerSizes.count - 1
        func w(_ p: [Float], _ l: Int, _ i: Int, _ j: Int) -> Double { Double(p[layout.weightOffsets[l] + i * layerSizes[l + 1] + j]) }
        func b(_ p: [Float], _ l: Int, _ j: Int) -> Double { Double(p[layout.biasOffsets[l] + j]) }
        // a[0] = pixels / 255; a[l+1] = relu(a[l]·W + b) (no relu on the logits).
        var a: [[[Double]]] = [(0..<n).map { r in images.pixels(ofImage: r).map { Double(Float($0) / 255) } }]
        for l in 0..<layers {
            a.append((0..<n).map { r in
                (0..<layerSizes[l + 1]).map { j in
                    var z = b(before, l, j)
                    for i in 0..<layerSizes[l] { z += a[l][r][i] * w(before, l, i, j) }
                    return l < layers - 1 ? max(z, 0) : z
                }
            })
        }
        // d = ∂(mean loss)/∂(layer output), back through the ReLUs; gradW[l] = a[l]ᵀ·d[l+1].
        var d = (0..<n).map { r -> [Double] in
            let z = a[layers][r], top = z.max()!
            let e = z.map { exp($0 - top) }, sum = e.reduce(0, +)
            return e.indices.map { (e[$0] / sum - ($0 == Int(images.labels[r]) ? 1 : 0)) / Double(n) }
        }
        var figures = [LayerFigures?](repeating: nil, count: layers)
        for l in stride(from: layers - 1, through: 0, by: -1) {
            var squares = 0.0
            for i in 0..<layerSizes[l] {
                for j in 0..<layerSizes[l + 1] {
                    var g = 0.0
                    for r in 0..<n { g += a[l][r][i] * d[r][j] }
                    squares += g * g
                }
            }
            let count = Double(layerSizes[l] * layerSizes[l + 1])
            let gradientRMS = (squares / count).squareRoot()
            var weightSquares = 0.0
            for i in 0..<layerSizes[l] { for j in 0..<layerSizes[l + 1] { weightSquares += pow(w(after, l, i, j), 2) } }
            let weightRMS = (weightSquares / count).squareRoot()
            let outputs = a[l + 1].flatMap { $0 }
            let mean = outputs.reduce(0, +) / Double(outputs.count)
            let std = (outputs.map { pow($0 - mean, 2) }.reduce(0, +) / Double(outputs.count)).squareRoot()
            let dead = l < layers - 1
                ? Double((0..<layerSizes[l + 1]).filter { j in (0..<n).allSatisfy { a[l + 1][$0][j] <= 0 } }.count) / Double(layerSizes[l + 1])
                : 0
            figures[l] = LayerFigures(weightRMS: Float(weightRMS), gradientRMS: Float(gradientRMS),
                                      updateRatio: Float(Double(lr) * gradientRMS / weightRMS),
                                      activationMean: Float(mean), activationStd: Float(std), deadFraction: Float(dead))
            if l > 0 {
                d = (0..<n).map { r in
                    (0..<layerSizes[l]).map { i in
                        guard a[l][r][i] > 0 else { return 0 }
                        var s = 0.0
                        for j in 0..<layerSizes[l + 1] { s += d[r][j] * w(before, l, i, j) }
                        return s
                    }
                }
            }
        }
        return figures.map { $0! }
    }

    static func close(_ x: Float, _ y: Float) -> Bool { abs(x - y) <= 1e-4 * max(abs(x), abs(y)) + 1e-6 }

    @Test("every figure of every step matches plain loops (step 0 = the initial network on the first batch)",
          arguments: [(OptimizerKind.sgd, Float(0), FirstLayerPath.sparse), (.sgd, 0, .dense), (.sgd, 0.9, .sparse),
                      (.adam, 0, .dense)])
    func figuresMatchPlainLoops(optimizer: OptimizerKind, momentum: Float, path: FirstLayerPath) throws {
        let dataset = try Self.mnist.get()
        let config = Self.tinyConfig(optimizer, momentum: momentum)
        let trainer = try Trainer(dataset: dataset, config: config, firstLayerPath: path)
        trainer.setLayerHealth(every: 1)
        let events = trainer.subscribe()
        let images = dataset.train.prefix(64)
        var reports = 0
        while true {
            let before = trainer.snapshot().parameters
            let (trained, finished) = trainer.advanceOnCallingThread()
            let after = trainer.snapshot().parameters
            for case .layerHealth(let health) in events.drain().events {
                reports += 1
                // Step 0 describes the initial network (its weights before and after are the same).
                let (start, end) = health.step == 0 ? (before, before) : (before, after)
                #expect(health.step == 0 || trained)
                let expected = Self.plainFigures(layerSizes: trainer.info.layerSizes, before: start, after: end,
                                                 images: images, lr: config.learningRate)
                #expect(health.layers.count == expected.count)
                for (got, want) in zip(health.layers, expected) {
                    #expect(Self.close(got.weightRMS, want.weightRMS), "step \(health.step) weight rms \(got) vs \(want)")
                    #expect(Self.close(got.gradientRMS, want.gradientRMS), "step \(health.step) gradient rms \(got) vs \(want)")
                    #expect(Self.close(got.updateRatio, want.updateRatio), "step \(health.step) ratio")
                    #expect(Self.close(got.activationMean, want.activationMean), "step \(health.step) mean")
                    #expect(Self.close(got.activationStd, want.activationStd), "step \(health.step) std")
                    #expect(got.deadFraction == want.deadFraction, "step \(health.step) dead")
                }
            }
            if finished { break }
        }
        #expect(reports == 1 + 3)  // step 0, then steps 1-3 (one batch an epoch)
    }

    @Test("with layer health on, every batch and epoch is bit-identical to the run without it",
          arguments: [(OptimizerKind.sgd, Float(0), FirstLayerPath.automatic), (.sgd, 0, .dense), (.sgd, 0.9, .automatic),
                      (.adam, 0, .automatic)])
    func mathUnchanged(optimizer: OptimizerKind, momentum: Float, path: FirstLayerPath) async throws {
        let dataset = try Self.mnist.get()
        var config = Self.tinyConfig(optimizer, momentum: momentum)
        config.trainLimit = 1280
        config.hidden = [32, 16]
        func run(health: Int?) async throws -> (math: [TrainingEvent], health: [LayerHealth], parameters: [Float]) {
            let trainer = try Trainer(dataset: dataset, config: config, firstLayerPath: path)
            trainer.setLayerHealth(every: health)
            trainer.start()
            let events = await collect(trainer)
            let reports = events.compactMap { if case .layerHealth(let h) = $0 { h } else { nil } }
            return (mathEvents(events), reports, trainer.snapshot().parameters)
        }
        let plain = try await run(health: nil), watched = try await run(health: 3)
        #expect(plain.health.isEmpty)
        // Every 3rd step and each epoch's last (20 batches an epoch), after the initial network's.
        #expect(watched.health.map(\.step) == [0] + (1...60).filter { $0 % 3 == 0 || $0 % 20 == 0 })
        #expect(watched.math == plain.math)
        #expect(watched.parameters == plain.parameters)
        // The figures say something: weights and gradients nonzero, activations spread.
        for health in watched.health { #expect(health.layers.allSatisfy { $0.weightRMS > 0 && $0.gradientRMS > 0 && $0.activationStd > 0 }) }
    }

    @Test("dead units count over every batch since the last report, not only the last one")
    func deadOverTheWindow() throws {
        // A layer of 4 units over batches of 2 rows: unit 0 fires in batch 1 only, unit 1 never,
        // units 2 and 3 in batch 2 only. Alone, batch 2 would call units 0 and 1 dead; over both, unit 1.
        let mlp = MLP(layerSizes: [3, 4, 2], maxBatch: 2)
        let monitor = LayerHealthMonitor(mlp: mlp)
        let a = mlp.activations[1]
        for (i, v) in [Float(1), 0, 0, 0, 0, 0, 0, 0].enumerated() { a[i] = v }
        monitor.observe(mlp, batch: 2)
        for (i, v) in [Float(0), 0, 2, 0, 0, 0, 0, 3].enumerated() { a[i] = v }
        monitor.observe(mlp, batch: 2)
        let input = InputBatch(maxBatch: 2, inputSize: 3)
        let health = monitor.report(mlp, input: input, batch: 2, step: 2, learningRate: 0.1, gradientsReady: true)
        #expect(health.layers[0].deadFraction == 0.25)
        #expect(health.layers[1].deadFraction == 0)  // the output layer has no ReLU
        // A report starts a new window.
        monitor.observe(mlp, batch: 2)
        #expect(monitor.report(mlp, input: input, batch: 2, step: 3, learningRate: 0.1, gradientsReady: true)
            .layers[0].deadFraction == 0.5)
    }
}
