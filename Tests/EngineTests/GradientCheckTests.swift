// Finite-difference checks of every backward pass. Losses are evaluated in Double from Float
// forward passes; central differences with a step that keeps Float rounding well below tolerance.
import MNISTData
import Testing
@testable import Engine

/// Deterministic values in [-1, 1) (avoids anything random in the tests).
func values(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
}

/// |numeric - analytic| <= absolute + relative·|numeric| for every entry.
func expectClose(_ numeric: [Double], _ analytic: [Float], absolute: Double = 2e-3, relative: Double = 2e-2,
                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(numeric.count == analytic.count, sourceLocation: sourceLocation)
    let worst = zip(numeric, analytic).map { abs($0 - Double($1)) - relative * abs($0) }.max() ?? 0
    #expect(worst <= absolute, "\(what): worst excess error \(worst)", sourceLocation: sourceLocation)
}

/// Central differences (f(x + ε·eᵢ) - f(x - ε·eᵢ)) / 2ε for every entry i of `x`; `x` is restored.
func centralDifferences(_ x: inout [Float], eps: Float, _ f: ([Float]) -> Double) -> [Double] {
    (0..<x.count).map { i in
        let saved = x[i]
        x[i] = saved + eps; let plus = f(x)
        x[i] = saved - eps; let minus = f(x)
        x[i] = saved
        return (plus - minus) / Double(2 * eps)
    }
}

@Suite("Gradient checks")
struct GradientCheckTests {
    @Test("Linear: dX, dW, db against finite differences of sum(Y * R)")
    func linear() {
        let batch = 3, inF = 5, outF = 4
        var x = values(batch * inF, seed: 1), w = values(inF * outF, seed: 2), b = values(outF, seed: 3)
        let r = values(batch * outF, seed: 4)  // dL/dY for L = Σ Y·R
        func loss(_ x: [Float], _ w: [Float], _ b: [Float]) -> Double {
            var y = [Float](repeating: 0, count: batch * outF)
            Linear.forward(input: x, weights: w, bias: b, output: &y, batch: batch, inFeatures: inF, outFeatures: outF)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var dx = [Float](repeating: 0, count: batch * inF), dw = [Float](repeating: 0, count: inF * outF)
        var db = [Float](repeating: 9, count: outF)  // garbage: backward must overwrite, not accumulate
        Linear.backward(input: x, weights: w, dOutput: r, dInput: &dx, dWeights: &dw, dBias: &db,
                        batch: batch, inFeatures: inF, outFeatures: outF)
        let eps: Float = 1e-2
        expectClose(centralDifferences(&x, eps: eps) { loss($0, w, b) }, dx, "dX")
        expectClose(centralDifferences(&w, eps: eps) { loss(x, $0, b) }, dw, "dW")
        expectClose(centralDifferences(&b, eps: eps) { loss(x, w, $0) }, db, "db")
    }

    @Test("Linear with fused ReLU equals Linear then ReLU")
    func fusedReLU() {
        let batch = 4, inF = 6, outF = 19  // 19: exercises the SIMD body and the scalar tail
        let x = values(batch * inF, seed: 5), w = values(inF * outF, seed: 6), b = values(outF, seed: 7)
        var fused = [Float](repeating: 0, count: batch * outF), plain = fused
        Linear.forwardReLU(input: x, weights: w, bias: b, output: &fused, batch: batch, inFeatures: inF, outFeatures: outF)
        Linear.forward(input: x, weights: w, bias: b, output: &plain, batch: batch, inFeatures: inF, outFeatures: outF)
        ReLU.forward(input: plain, output: &plain, count: plain.count)
        #expect(fused == plain)
        #expect(fused.contains(0) && fused.contains { $0 > 0 })
    }

    @Test("ReLU: backward masks exactly where the forward output is positive")
    func relu() {
        // Keep inputs away from the kink so finite differences are exact there.
        var z = values(21, seed: 8).map { $0 + ($0 >= 0 ? 0.1 : -0.1) }
        let r = values(21, seed: 9)
        func loss(_ z: [Float]) -> Double {
            var a = [Float](repeating: 0, count: z.count)
            ReLU.forward(input: z, output: &a, count: z.count)
            return zip(a, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var a = [Float](repeating: 0, count: z.count)
        ReLU.forward(input: z, output: &a, count: z.count)
        var d = r
        ReLU.backward(output: a, gradient: &d, count: d.count)
        let numeric = centralDifferences(&z, eps: 1e-2, loss)
        expectClose(numeric, d, absolute: 1e-4, "dZ")
    }

    @Test("softmax cross-entropy: dLogits against finite differences of the mean loss")
    func softmaxCrossEntropy() {
        let batch = 4, classes = 5
        var z = values(batch * classes, seed: 10).map { $0 * 3 }
        let labels: [Int32] = [0, 3, 4, 1]
        func loss(_ z: [Float]) -> Double {
            var p = [Float](repeating: 0, count: z.count), l = [Float](repeating: 0, count: batch)
            return SoftmaxCrossEntropy.forward(logits: z, labels: labels, batch: batch, classes: classes,
                                               probabilities: &p, losses: &l) / Double(batch)
        }
        var p = [Float](repeating: 0, count: z.count), l = [Float](repeating: 0, count: batch)
        SoftmaxCrossEntropy.forward(logits: z, labels: labels, batch: batch, classes: classes, probabilities: &p, losses: &l)
        var d = [Float](repeating: 0, count: z.count)
        SoftmaxCrossEntropy.backward(probabilities: p, labels: labels, batch: batch, classes: classes, dLogits: &d)
        let numeric = centralDifferences(&z, eps: 1e-2, loss)
        expectClose(numeric, d, absolute: 1e-4, "dLogits")
    }

    /// A 6-5-4-3 MLP and a batch of 5 with inputs set directly.
    func smallMLP() -> (MLP, InputBatch) {
        let mlp = MLP(layerSizes: [6, 5, 4, 3], maxBatch: 5)
        var generator = SeededGenerator(seed: 11)
        mlp.initialize(.default, generator: &generator)
        let input = InputBatch(maxBatch: 5, inputSize: 6)
        let x = values(5 * 6, seed: 12)
        for i in x.indices { input.input[i] = x[i] }
        let labels: [Int32] = [0, 2, 1, 2, 0]
        for i in labels.indices { input.labels[i] = labels[i] }
        return (mlp, input)
    }

    @Test("whole MLP: every parameter's gradient against finite differences")
    func wholeMLP() {
        let (mlp, input) = smallMLP()
        let analytic = checkAgainstFiniteDifferences(mlp, input, batch: 5, "MLP parameters")
        #expect(analytic.contains { abs($0) > 1e-3 })
    }

    /// The backward pass's gradient of the batch loaded in `input` against central differences of
    /// the forward pass's mean loss, every parameter; returns the analytic gradient.
    @discardableResult
    func checkAgainstFiniteDifferences(_ mlp: MLP, _ input: InputBatch, batch: Int, _ what: String,
                                       sourceLocation: SourceLocation = #_sourceLocation) -> [Float] {
        mlp.forward(input, batch: batch)
        let analytic = gradient(mlp, input, batch: batch)
        var theta = mlp.parameterArray()
        let numeric = centralDifferences(&theta, eps: 1e-3) { p in
            mlp.load(parameters: p)
            return mlp.forward(input, batch: batch) / Double(batch)
        }
        mlp.load(parameters: theta)
        expectClose(numeric, analytic, absolute: 5e-4, relative: 2e-2, what, sourceLocation: sourceLocation)
        return analytic
    }

    @Test("the folded SGD step equals θ - lr·∇L; momentum and weight decay follow PyTorch's SGD")
    func sgdStep() {
        let (mlp, input) = smallMLP()
        let batch = 5, lr: Float = 0.3
        let before = mlp.parameterArray()
        mlp.forward(input, batch: batch)
        let gradient = gradient(mlp, input, batch: batch)
        makeSGD(mlp).step(mlp, input: input, batch: batch, learningRate: lr)
        let plain = mlp.parameterArray()
        for i in before.indices { #expect(abs(plain[i] - (before[i] - lr * gradient[i])) < 1e-6) }

        // Weight decay 0.1, no momentum: θ = θ - lr (∇L + wd θ).
        mlp.load(parameters: before)
        mlp.forward(input, batch: batch)
        makeSGD(mlp, weightDecay: 0.1).step(mlp, input: input, batch: batch, learningRate: lr)
        let decayed = mlp.parameterArray()
        for i in before.indices {
            #expect(abs(decayed[i] - (before[i] - lr * (gradient[i] + 0.1 * before[i]))) < 1e-6)
        }

        // Momentum 0.9 and weight decay 0.1, two steps on the same batch, against a hand-rolled loop.
        mlp.load(parameters: before)
        let sgd = makeSGD(mlp, momentum: 0.9, weightDecay: 0.1)
        var theta = before.map(Double.init), v = [Double](repeating: 0, count: before.count)
        for _ in 0..<2 {
            mlp.forward(input, batch: batch)
            let g = self.gradient(mlp, input, batch: batch)
            for i in theta.indices {
                v[i] = 0.9 * v[i] + Double(g[i]) + 0.1 * theta[i]
                theta[i] -= Double(lr) * v[i]
            }
            sgd.step(mlp, input: input, batch: batch, learningRate: lr)
        }
        let momentumResult = mlp.parameterArray()
        for i in theta.indices { #expect(abs(Double(momentumResult[i]) - theta[i]) < 1e-5) }
        #expect(sgd.state.step == 2)
    }

    /// A [16, 6, 3] network and a batch of 5 whose columns 0-5 and 12 are zero in every row (like
    /// MNIST's border pixels), the rest varying.
    func sparseBatch() -> (MLP, InputBatch) {
        let batch = 5, size = 16
        let mlp = MLP(layerSizes: [size, 6, 3], maxBatch: batch)
        var generator = SeededGenerator(seed: 13)
        mlp.initialize(.default, generator: &generator)
        let input = InputBatch(maxBatch: batch, inputSize: size)
        let x = values(batch * size, seed: 14).enumerated().map { i, v in
            let column = i % size
            return column < 6 || column == 12 ? 0 : abs(v)
        }
        for i in x.indices { input.input[i] = x[i] }
        for i in 0..<batch { input.labels[i] = Int32(i % 3) }
        return (mlp, input)
    }

    @Test("input-column compaction: same loss, and the folded step still equals θ - lr·∇L")
    func compaction() {
        let (mlp, input) = sparseBatch()
        let batch = 5
        let plainLoss = mlp.forward(input, batch: batch)
        let gradient = gradient(mlp, input, batch: batch)
        let before = mlp.parameterArray()

        input.compactColumns(batch: batch)
        #expect(input.activeColumnCount == 16 - 7)
        let compactLoss = mlp.forward(input, batch: batch)
        #expect(abs(compactLoss - plainLoss) < 1e-5)
        let lr: Float = 0.5
        makeSGD(mlp).step(mlp, input: input, batch: batch, learningRate: lr)
        let after = mlp.parameterArray()
        for i in before.indices { #expect(abs(after[i] - (before[i] - lr * gradient[i])) < 1e-6) }
        // Rows of W0 for inactive columns are untouched, bit for bit.
        for column in [0, 3, 12] {
            for j in 0..<6 { #expect(after[column * 6 + j] == before[column * 6 + j]) }
        }
        // A new batch resets the compaction.
        input.load(LabeledImages(count: 1, rows: 4, cols: 4, pixels: [UInt8](repeating: 9, count: 16), labels: [1]),
                   range: 0..<1)
        #expect(input.activeColumnCount == 0)
    }

    @Test("compaction: the gradient (and beta-scaled targets) equal the uncompacted backward's")
    func compactedGradientTargets() {
        let (mlp, input) = sparseBatch()
        let batch = 5, count = mlp.parameterCount
        mlp.forward(input, batch: batch)
        let full = gradient(mlp, input, batch: batch)
        // A target with beta 0.5 over garbage: every entry becomes 0.5·old + 2·gradient.
        let old = values(count, seed: 15)
        var expected = [Float](repeating: 0, count: count)
        for i in 0..<count { expected[i] = 0.5 * old[i] + 2 * full[i] }

        input.compactColumns(batch: batch)
        mlp.forward(input, batch: batch)
        let compacted = gradient(mlp, input, batch: batch)
        for i in 0..<count { #expect(abs(compacted[i] - full[i]) < 1e-6, "gradient \(i)") }
        // Inactive rows get exactly zero (not stale values from the workspace).
        for column in [0, 5, 12] { for j in 0..<6 { #expect(compacted[column * 6 + j] == 0) } }
        var buffer = old
        buffer.withUnsafeMutableBufferPointer { target in
            mlp.backward(input, batch: batch, into: GradientTarget(buffer: target.baseAddress!, alpha: 2, beta: 0.5))
        }
        for i in 0..<count { #expect(abs(buffer[i] - expected[i]) < 1e-5, "target \(i)") }
    }

    /// ∂L/∂θ of the batch of the last forward pass, as an array.
    func gradient(_ mlp: MLP, _ input: InputBatch, batch: Int) -> [Float] {
        var g = [Float](repeating: 7, count: mlp.parameterCount)  // garbage: must be overwritten
        g.withUnsafeMutableBufferPointer { mlp.computeGradients(input, batch: batch, into: $0.baseAddress!) }
        return g
    }
}

/// Plain SGD (momentum 0) or SGD with momentum for `mlp`.
func makeSGD(_ mlp: MLP, momentum: Float = 0, weightDecay: Float = 0) -> SGD {
    SGD(momentum: momentum, weightDecay: weightDecay,
        state: OptimizerState(names: momentum > 0 ? ["velocity"] : [], parameterCount: mlp.parameterCount))
}
