// Adam and AdamW against values worked out by hand, a finite-difference-checked training step, the
// rollback point covering optimiser state, and exact save/resume of an Adam run through a file.
import MNISTData
import Synchronization
import Testing
@testable import Engine

@Suite("Optimizers")
struct OptimizerTests {
    /// Two steps of `Adam.update` on θ = (1, -2, 0.5) repeated three times (9 parameters: 8 go
    /// through the SIMD body, 1 through the scalar tail), gradients g1 then g2, lr 0.1.
    func twoSteps(weightDecay: Float, decoupled: Bool) -> (theta: [Float], m: [Float], v: [Float]) {
        var theta: [Float] = Array([Float]([1, -2, 0.5]).repeated(3))
        var m = [Float](repeating: 0, count: 9), v = m
        let g1: [Float] = Array([Float]([0.1, -0.3, 2]).repeated(3)), g2: [Float] = Array([Float]([0.2, 0.1, -1]).repeated(3))
        let h = AdamHyperparameters(weightDecay: weightDecay, decoupledWeightDecay: decoupled)
        for (step, g) in [g1, g2].enumerated() {
            theta.withUnsafeMutableBufferPointer { p in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        g.withUnsafeBufferPointer { g in
                            Adam.update(parameters: p.baseAddress!, gradients: g.baseAddress!, m: m.baseAddress!,
                                        v: v.baseAddress!, count: 9, learningRate: 0.1, step: step + 1, hyperparameters: h)
                        }
                    }
                }
            }
        }
        return (theta, m, v)
    }

    func expectPattern(_ values: [Float], _ pattern: [Double], _ what: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for (i, value) in values.enumerated() {
            let expected = pattern[i % 3]
            #expect(abs(Double(value) - expected) <= 2e-6 * max(1, abs(expected)), "\(what)[\(i)] = \(value), expected \(expected)",
                    sourceLocation: sourceLocation)
        }
    }

    // The three tests below were also checked against torch.optim.Adam / AdamW 2.13 (CPU), which
    // gives the same θ, m and v to float precision.

    @Test("Adam, two steps, by hand")
    func adamByHand() {
        // Element 0, by hand (β1 0.9, β2 0.999, ε 1e-8, lr 0.1; g1 = 0.1, g2 = 0.2):
        //   step 1: m = 0.1·0.1 = 0.01, v = 0.001·0.01 = 1e-5, m̂ = 0.01/0.1 = 0.1, √v̂ = √(1e-5/0.001) = 0.1
        //           θ = 1 - 0.1·0.1/(0.1 + ε) = 0.9 (to 1e-8)
        //   step 2: m = 0.9·0.01 + 0.1·0.2 = 0.029, v = 0.999·1e-5 + 0.001·0.04 = 4.999e-5
        //           denom = √4.999e-5 / √(1 - 0.999²) + ε = 0.00707036 / 0.04471018 = 0.15813760
        //           θ = 0.9 - (0.1 / (1 - 0.9²))·0.029/0.15813760 = 0.9 - 0.52631579·0.18338542 = 0.80348181
        let (theta, m, v) = twoSteps(weightDecay: 0, decoupled: false)
        expectPattern(theta, [0.803481814, -1.85997815, 0.373366297], "θ")
        expectPattern(m, [0.029, -0.017, 0.08], "m")
        expectPattern(v, [4.999e-05, 9.991e-05, 0.004996], "v")
    }

    @Test("Adam with weight decay 0.1 adds it to the gradient (L2), two steps by hand")
    func adamL2ByHand() {
        // Element 0: step 1 g = 0.1 + 0.1·1 = 0.2 -> m = 0.02, v = 4e-5, θ = 1 - 0.1 = 0.9 (to 1e-8);
        //   step 2 g = 0.2 + 0.1·0.9 = 0.29 -> m = 0.018 + 0.029 = 0.047, v = 3.996e-5 + 8.41e-5 = 0.00012406,
        //   θ = 0.9 - 0.52631579·0.047/(√0.00012406/√0.001999 + ε) = 0.9 - 0.52631579·0.18866956 = 0.80070332
        let (theta, m, v) = twoSteps(weightDecay: 0.1, decoupled: false)
        expectPattern(theta, [0.80070332, -1.82086603, 0.370895146], "θ")
        expectPattern(m, [0.047, -0.054, 0.0885], "m")
        expectPattern(v, [0.00012406, 0.00025785, 0.0051198975], "v")
    }

    @Test("AdamW with weight decay 0.1 shrinks θ by 1 - lr·wd first (decoupled), two steps by hand")
    func adamWByHand() {
        // Element 0: step 1 θ = 1·0.99 - 0.1 = 0.89; step 2 θ = 0.89·0.99 - 0.52631579·0.18338542 = 0.78458181.
        // The moments never see the decay: they are plain Adam's.
        let (theta, m, v) = twoSteps(weightDecay: 0.1, decoupled: true)
        expectPattern(theta, [0.784581813, -1.82117815, 0.364416297], "θ")
        expectPattern(m, [0.029, -0.017, 0.08], "m")
        expectPattern(v, [4.999e-05, 9.991e-05, 0.004996], "v")
    }

    @Test("an Adam training step uses the finite-difference gradient, on a full and on a compacted batch",
          arguments: [false, true])
    func adamStepAgainstFiniteDifferences(compacted: Bool) {
        let checks = GradientCheckTests()
        let (mlp, input) = checks.sparseBatch()
        let batch = 5
        // The gradient by central differences of the mean loss (full input: the reference).
        var theta = mlp.parameterArray()
        let numeric = centralDifferences(&theta, eps: 1e-3) { p in
            mlp.load(parameters: p)
            return mlp.forward(input, batch: batch) / Double(batch)
        }
        mlp.load(parameters: theta)
        if compacted { input.compactColumns(batch: batch) }
        #expect((input.activeColumnCount > 0) == compacted)

        var config = TrainingConfig()
        config.optimizer = .adamw
        config.weightDecay = 0.05
        let adam = config.makeOptimizer(parameterCount: mlp.parameterCount)
        mlp.forward(input, batch: batch)
        adam.step(mlp, input: input, batch: batch, learningRate: 0.01)

        // Step 1 from m = v = 0: m = (1-β1)g, v = (1-β2)g², so g = m / (1-β1) recovers the gradient used.
        let m = Array(UnsafeBufferPointer(start: adam.state.buffers[0], count: mlp.parameterCount))
        let used = m.map { $0 / Float(1 - 0.9) }
        expectClose(numeric, used, absolute: 5e-4, relative: 2e-2, "gradient used by Adam")
        // And the parameters moved as AdamW's first step says: θ(1 - lr·wd) - lr·g/(|g| + ε·...).
        let after = mlp.parameterArray()
        for i in theta.indices {
            let g = Double(used[i])
            let v = (1 - 0.999) * g * g
            let expected = Double(theta[i]) * (1 - 0.01 * 0.05) - 0.01 / 0.1 * ((1 - 0.9) * g) / ((v / 0.001).squareRoot() + 1e-8)
            #expect(abs(Double(after[i]) - expected) < 1e-6, "parameter \(i)")
        }
        #expect(adam.state.step == 1)
    }

    @Test("a divergence rolls the optimiser state back with the weights", arguments: [OptimizerKind.sgd, .adam])
    func rollbackCoversOptimizerState(kind: OptimizerKind) async throws {
        let dataset = syntheticDataset()
        var config = smallConfig(epochs: 3, lr: kind == .sgd ? 0.05 : 0.002)
        config.optimizer = kind
        if kind == .sgd { config.momentum = 0.9 }
        let batchesPerEpoch = 19  // 600 / 32, rounded up
        let run = try trainer(dataset, config) { trainer, m in
            if m.step == batchesPerEpoch { trainer.pause() }                       // end of epoch 1
            if m.step == batchesPerEpoch + 3 { trainer.setLearningRate(1e6) }     // epoch 2 blows up
        }
        let atEpochStart = Mutex<TrainingSnapshot?>(nil), afterRollback = Mutex<TrainingSnapshot?>(nil)
        run.start()
        _ = await collect(run) { event in
            if event == .stateChanged(.paused) {
                atEpochStart.withLock { $0 = run.snapshot() }
                run.resume()
            }
            if case .stateChanged(.diverged) = event {
                afterRollback.withLock { $0 = run.snapshot() }
                run.stop()
            }
        }
        let before = try #require(atEpochStart.withLock { $0 }), after = try #require(afterRollback.withLock { $0 })
        #expect(before.optimizerState.buffers.count == (kind == .sgd ? 1 : 2))
        #expect(before.optimizerState.buffers.allSatisfy { $0.contains { $0 != 0 } })
        #expect(after.optimizerState == before.optimizerState)
        #expect(after.parameters == before.parameters)
        #expect(after.position.step == before.position.step && after.optimizerState.step == before.position.step)
    }

    @Test("an Adam run saved mid-epoch to a file and resumed equals the unbroken run, bit for bit",
          arguments: [OptimizerKind.adam, .adamw])
    func adamSaveAndResume(kind: OptimizerKind) async throws {
        let dataset = syntheticDataset()
        var config = smallConfig(epochs: 3, lr: 0.003)
        config.optimizer = kind
        config.weightDecay = kind.defaultWeightDecay
        let straight = try Trainer(dataset: dataset, config: config)
        straight.start()
        let reference = mathEvents(await collect(straight))
        let finalStraight = straight.snapshot()

        let first = try trainer(dataset, config) { trainer, m in
            if m.step == 27 { trainer.pause() }  // epoch 2, batch 8
        }
        let saved = Mutex<Checkpoint?>(nil)
        first.start()
        _ = await collect(first) { event in
            if event == .stateChanged(.paused) {
                saved.withLock { $0 = Checkpoint(trainer: first, dataset: dataset) }
                first.stop()
            }
        }
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        try #require(saved.withLock { $0 }).write(to: folder + "/adam.ckpt")
        let loaded = try Checkpoint.read(from: folder + "/adam.ckpt")
        #expect(loaded.snapshot.config.optimizer == kind && loaded.snapshot.optimizerState.step == 27)
        #expect(loaded.snapshot.optimizerState.buffers.count == 2)

        let resumed = try Trainer(dataset: dataset, config: loaded.snapshot.config, resumingFrom: loaded.snapshot)
        resumed.start()
        let continued = mathEvents(await collect(resumed))
        let skip = try #require(reference.firstIndex { $0.batchMetrics?.step == 28 })
        #expect(continued == Array(reference[skip...]))
        let finalResumed = resumed.snapshot()
        #expect(finalResumed.parameters == finalStraight.parameters)
        #expect(finalResumed.optimizerState == finalStraight.optimizerState)
        #expect(finalResumed.parametersFingerprint == finalStraight.parametersFingerprint)

        // Another optimiser, or other Adam settings, cannot continue it.
        var other = loaded.snapshot.config
        other.optimizer = kind == .adam ? .adamw : .adam
        #expect(throws: TrainingConfigError.self) { try Trainer(dataset: dataset, config: other, resumingFrom: loaded.snapshot) }
        other = loaded.snapshot.config
        other.beta2 = 0.99
        #expect(throws: TrainingConfigError.self) { try Trainer(dataset: dataset, config: other, resumingFrom: loaded.snapshot) }
    }

    @Test("Adam learns the synthetic problem (and the compacted gather is used for it)")
    func adamLearns() async throws {
        var config = smallConfig(epochs: 3, lr: 0.003)
        config.optimizer = .adam
        let run = try Trainer(dataset: syntheticDataset(), config: config)
        run.start()
        let epochs = await collect(run).compactMap(\.epochMetrics)
        #expect(epochs.count == 3)
        #expect((epochs.last?.testAccuracy ?? 0) > 0.9, "\(epochs.map(\.testAccuracy))")
    }
}

extension Array {
    /// The array `count` times over.
    func repeated(_ count: Int) -> [Element] { (0..<count).flatMap { _ in self } }
}
