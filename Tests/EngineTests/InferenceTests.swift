import Foundation
import MNISTData
import Synchronization
import Testing
@testable import Engine

/// One image through the model (the forward-pass and drawing views' numbers, issue 10).
@Suite struct InferenceTests {
    /// The tutorial author's worked example: logits [2.0, 1.0, -1.0], label 0 -> softmax 0.705,
    /// 0.259, 0.035 -> loss 0.349. A 3-3 layer with identity weights hands the input through as logits.
    @Test func workedExample() throws {
        let layout = try #require(ParameterLayout(layerSizes: [3, 3]))
        let identity: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1] + [0, 0, 0]
        let weights = try #require(ModelWeights(layout: layout, parameters: identity))
        let pass = try #require(Inference.forward(scaled: [2, 1, -1], weights: weights))
        #expect(pass.logits == [2, 1, -1])
        #expect(pass.hidden.isEmpty)
        let expected: [Float] = [0.705, 0.259, 0.035]
        for (p, e) in zip(pass.probabilities, expected) { #expect(abs(p - e) < 0.0005, "\(pass.probabilities)") }
        #expect(abs(pass.loss(label: 0) - 0.349) < 0.0005)
        #expect(abs(pass.probability(of: 0) - 0.705) < 0.0005)
        #expect(pass.predicted == 0)
        // The loss stays finite where p(label) underflows to 0 (computed as the trainer does).
        let far = try #require(Inference.forward(scaled: [200, 0, -200], weights: weights))
        #expect(far.probability(of: 2) == 0)
        #expect(abs(far.loss(label: 2) - 400) < 0.01)
    }

    @Test func wrongSizesAreRefused() throws {
        let layout = try #require(ParameterLayout(layerSizes: [4, 2]))
        #expect(ModelWeights(layout: layout, parameters: [1, 2, 3]) == nil)
        let weights = try #require(ModelWeights(layout: layout, parameters: [Float](repeating: 0, count: layout.count)))
        #expect(Inference.forward([1, 2, 3], weights: weights) == nil)
    }

    /// Acceptance 1: every number recomputed from a checkpoint's weights with plain loops (in
    /// Double, written from the layout's definition), and the predictions of the trainer's own
    /// evaluation (BLAS) of the same weights.
    @Test func agreesWithPlainLoopsOnACheckpointsWeights() async throws {
        let dataset = syntheticDataset(trainCount: 300, testCount: 40, side: 8)
        let run = try Trainer(dataset: dataset, config: smallConfig(epochs: 2))
        run.start()
        let events = await collect(run)
        let evaluation = try #require(events.compactMap(\.epochMetrics).last)
        let checkpoint = try Checkpoint.decode(Checkpoint(trainer: run, dataset: dataset).encoded(), path: "test.ckpt")
        let snapshot = checkpoint.snapshot
        let layout = try #require(ParameterLayout(layerSizes: snapshot.layerSizes))
        let weights = try #require(ModelWeights(layout: layout, parameters: snapshot.parameters))
        let sizes = snapshot.layerSizes, w = snapshot.parameters
        #expect(sizes == [64, 32, 16, 10])

        for index in 0..<dataset.test.count {
            let bytes = Array(dataset.test.pixels[(index * 64)..<((index + 1) * 64)])
            let label = Int(dataset.test.labels[index])
            // Plain loops: a[l+1][j] = b[l][j] + Σ_i a[l][i]·W[l][i, j], ReLU on hidden layers.
            var a = bytes.map { Double($0) / 255 }
            var hidden: [[Double]] = []
            var offset = 0
            for l in 0..<(sizes.count - 1) {
                let (n, m) = (sizes[l], sizes[l + 1])
                var next = [Double](repeating: 0, count: m)
                for j in 0..<m {
                    var sum = Double(w[offset + n * m + j])
                    for i in 0..<n { sum += a[i] * Double(w[offset + i * m + j]) }
                    next[j] = l < sizes.count - 2 ? max(0, sum) : sum
                }
                offset += n * m + m
                if l < sizes.count - 2 { hidden.append(next) }
                a = next
            }
            let top = a.max()!
            let exps = a.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            let probabilities = exps.map { $0 / total }
            let loss = -Foundation.log(probabilities[label])

            let pass = try #require(Inference.forward(bytes, weights: weights))
            #expect(pass.input == bytes.map { Float($0) / 255 })
            for (mine, theirs) in zip(pass.hidden, hidden) {
                for (x, y) in zip(mine, theirs) { #expect(abs(Double(x) - y) < 1e-4) }
                #expect(mine.filter { $0 > 0 }.count == theirs.filter { $0 > 0 }.count)
            }
            for (x, y) in zip(pass.logits, a) { #expect(abs(Double(x) - y) < 1e-4) }
            for (x, y) in zip(pass.probabilities, probabilities) { #expect(abs(Double(x) - y) < 1e-5) }
            #expect(abs(Double(pass.probability(of: label)) - probabilities[label]) < 1e-5)
            #expect(abs(Double(pass.loss(label: label)) - loss) < 1e-4 * max(1, loss))
            #expect(pass.predicted == Int(evaluation.predictions[index]), "test image \(index)")
        }
    }

    @Test func incomingWeightsAreAUnitsColumn() throws {
        let layout = try #require(ParameterLayout(layerSizes: [3, 2, 1]))
        // W0 [3, 2] row-major: unit 1's incoming weights are W0[0,1], W0[1,1], W0[2,1].
        let parameters: [Float] = [1, 2, 3, 4, 5, 6] + [0, 0] + [7, 8] + [0]
        let weights = try #require(ModelWeights(layout: layout, parameters: parameters))
        #expect(weights.incomingWeights(layer: 0, unit: 1) == [2, 4, 6])
        #expect(weights.incomingWeights(layer: 1, unit: 0) == [7, 8])
        #expect(weights.incomingWeights(layer: 0, unit: 2).isEmpty)
    }

    /// The views copy the weights while the run trains: the copy is the run's parameters, and
    /// copying all the while changes nothing in the math (same events as a run left alone).
    @Test func copyingWeightsDuringTrainingChangesNothing() async throws {
        let dataset = syntheticDataset(trainCount: 300, testCount: 40, side: 8)
        let quiet = try Trainer(dataset: dataset, config: smallConfig(epochs: 2))
        quiet.start()
        let alone = mathEvents(await collect(quiet))

        let watched = try Trainer(dataset: dataset, config: smallConfig(epochs: 2))
        let copies = Mutex(0)
        let poller = Task.detached {
            while !Task.isCancelled {
                if let copy = watched.currentWeights() {
                    #expect(copy.parameters.count == copy.layout.count)
                    copies.withLock { $0 += 1 }
                }
                await Task.yield()
            }
        }
        watched.start()
        let observed = mathEvents(await collect(watched))
        poller.cancel()
        _ = await poller.value
        #expect(observed == alone)
        #expect(copies.withLock { $0 } > 0)
        let final = try #require(watched.currentWeights())
        #expect(final.parameters == watched.snapshot().parameters)
        #expect(final.step == watched.snapshot().position.step)
    }
}
