import Foundation
import Engine
import MNISTData
@testable import Dashboard

// Deterministic inputs for the dashboard tests: procedurally drawn digits, a plausible loss
// curve, fake evaluations with a realistic confusion matrix, and states built from those events.

enum Fixtures {
    static let batchesPerEpoch = 235
    static let testCount = 40
    /// The first labels of the real MNIST test set, repeated.
    static let labelCycle: [UInt8] = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5, 9, 7, 3, 4]

    // MARK: Digits

    /// `count` 28x28 digits drawn as seven-segment strokes with soft edges, a little skewed.
    static func images(count: Int = testCount) -> LabeledImages {
        var pixels = [UInt8](repeating: 0, count: count * 784)
        var labels = [UInt8]()
        for index in 0..<count {
            let label = labelCycle[index % labelCycle.count]
            labels.append(label)
            drawDigit(Int(label), skew: Double(index % 5 - 2) * 0.06, into: &pixels, offset: index * 784)
        }
        return LabeledImages(count: count, rows: 28, cols: 28, pixels: pixels, labels: labels)
    }

    /// Segments a..g (top, top-right, bottom-right, bottom, bottom-left, top-left, middle).
    static let segments: [[Bool]] = [
        [true, true, true, true, true, true, false],      // 0
        [false, true, true, false, false, false, false],  // 1
        [true, true, false, true, true, false, true],     // 2
        [true, true, true, true, false, false, true],     // 3
        [false, true, true, false, false, true, true],    // 4
        [true, false, true, true, false, true, true],     // 5
        [true, false, true, true, true, true, true],      // 6
        [true, true, true, false, false, false, false],   // 7
        [true, true, true, true, true, true, true],       // 8
        [true, true, true, true, false, true, true],      // 9
    ]

    static func drawDigit(_ digit: Int, skew: Double, into pixels: inout [UInt8], offset: Int) {
        let (l, r, t, m, b) = (9.0, 19.0, 5.0, 14.0, 23.0)
        let lines: [((Double, Double), (Double, Double))] = [
            ((l, t), (r, t)), ((r, t), (r, m)), ((r, m), (r, b)), ((l, b), (r, b)),
            ((l, m), (l, b)), ((l, t), (l, m)), ((l, m), (r, m)),
        ]
        for y in 0..<28 {
            for x in 0..<28 {
                let px = Double(x) + skew * (Double(y) - 14), py = Double(y)
                var best = Double.infinity
                for (s, on) in segments[digit].enumerated() where on {
                    best = min(best, distance(px, py, lines[s].0, lines[s].1))
                }
                let value = best <= 1.2 ? 255 : (best <= 2.2 ? Int(255 * (2.2 - best)) : 0)
                pixels[offset + y * 28 + x] = UInt8(max(0, min(255, value)))
            }
        }
    }

    private static func distance(_ px: Double, _ py: Double, _ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1)
        let t = max(0, min(1, ((px - a.0) * dx + (py - a.1) * dy) / (dx * dx + dy * dy)))
        let (cx, cy) = (a.0 + t * dx - px, a.1 + t * dy - py)
        return (cx * cx + cy * cy).squareRoot()
    }

    // MARK: Run

    static func info(epochs: Int = 20, lr: Float = 0.2, testCount: Int = testCount) -> RunInfo {
        var config = TrainingConfig()
        config.epochs = epochs
        config.learningRate = lr
        return RunInfo(layerSizes: [784, 512, 256, 10], config: config, datasetName: "MNIST",
                       classNames: (0..<10).map(String.init), trainCount: 60000, testCount: testCount,
                       batchesPerEpoch: batchesPerEpoch)
    }

    /// A deterministic, noisy, decaying training loss with a spike now and then.
    static func loss(step: Int) -> Float {
        var h = UInt64(step) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        let noise = Double(h % 1000) / 1000 - 0.5
        let base = 0.04 + 2.26 * exp(-Double(step) / 90) + 0.25 * exp(-Double(step) / 1500)
        let spike = step % 397 == 0 ? 0.6 : 0
        return Float(max(0.005, base * (1 + 0.45 * noise) + spike))
    }

    static func batch(epoch: Int, batch: Int, lr: Float) -> BatchMetrics {
        let step = (epoch - 1) * batchesPerEpoch + batch
        return BatchMetrics(epoch: epoch, batch: batch, batchesPerEpoch: batchesPerEpoch, step: step,
                            loss: loss(step: step), learningRate: lr, samplesPerSecond: 48_250)
    }

    /// Classes each class is most often mistaken for.
    static let confusable: [Int] = [6, 7, 7, 5, 9, 3, 5, 2, 3, 4]

    /// A fake evaluation after `epoch`: accuracy rising with the epoch, a plausible confusion
    /// matrix, and predictions for the fixture's test images (some wrong).
    static func epochMetrics(epoch: Int, epochs: Int = 20, lr: Float = 0.2, images: LabeledImages) -> EpochMetrics {
        let testAccuracy = 0.985 - 0.075 * exp(-Double(epoch - 1) / 2.5)
        let trainAccuracy = min(0.999, testAccuracy - 0.03 + 0.0025 * Double(epoch))
        var confusion = ConfusionMatrix(classes: 10)
        let classTotals = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        for truth in 0..<10 {
            let errorRate = (1 - testAccuracy) * (0.6 + 0.1 * Double((truth * 7) % 9))
            let errors = Int(Double(classTotals[truth]) * errorRate)
            let main = errors * 6 / 10
            confusion[truth, confusable[truth]] += main
            let rest = errors - main
            for k in 0..<rest { confusion[truth, (truth + 1 + (k * 3) % 9) % 10] += 1 }
            confusion[truth, truth] += classTotals[truth] - errors
        }
        // Image i is wrong when (i + epoch) % wrongEvery == 0, predicted as its confusable class.
        let wrongEvery = epoch < 3 ? 4 : 7
        var predictions = [UInt8]()
        var misclassified = [Misclassified]()
        for i in 0..<images.count {
            let label = Int(images.labels[i])
            let wrong = (i + epoch) % wrongEvery == 0
            let predicted = wrong ? confusable[label] : label
            predictions.append(UInt8(predicted))
            if wrong {
                var p = [Float](repeating: 0.004, count: 10)
                let second = (label + 5) % 10 == predicted ? (label + 6) % 10 : (label + 5) % 10
                p[predicted] = 0.61 - Float(i % 5) * 0.05
                p[label] = 0.25 + Float(i % 5) * 0.04
                p[second] = 0.05
                let sum = p.reduce(0, +)
                misclassified.append(Misclassified(testIndex: i, label: label, predicted: predicted,
                                                   probabilities: p.map { $0 / sum }))
            }
        }
        return EpochMetrics(epoch: epoch, epochs: epochs, trainLoss: Double(loss(step: epoch * batchesPerEpoch)) * 1.1,
                            trainAccuracy: trainAccuracy, testLoss: 0.03 + 0.3 * exp(-Double(epoch) / 2.2),
                            testAccuracy: testAccuracy, trainSeconds: 4.87, learningRate: lr,
                            confusion: confusion, predictions: predictions, misclassified: misclassified)
    }

    // MARK: States

    /// A run fed `fullEpochs` whole epochs plus `extraBatches` of the next, with the lr raised
    /// to 0.4 at step 300 and lowered to 0.1 at step 560. Time: 1 s per 10 batches from t=1000.
    static func state(fullEpochs: Int, extraBatches: Int, epochs: Int = 20,
                      options: DisplayOptions = DisplayOptions(), images: LabeledImages = images()) -> AppState {
        var state = AppState(info: info(epochs: epochs), testImages: images, options: options, startTime: 1000)
        state.apply(.started(info(epochs: epochs)), now: 1000)
        state.apply(.stateChanged(.running), now: 1000)
        var lr: Float = 0.2
        let lastEpoch = fullEpochs + (extraBatches > 0 ? 1 : 0)
        for epoch in 1...max(1, lastEpoch) where lastEpoch > 0 {
            let batches = epoch <= fullEpochs ? batchesPerEpoch : extraBatches
            for b in 1...batches {
                let step = (epoch - 1) * batchesPerEpoch + b
                if step == 300 || step == 560 {
                    let next: Float = step == 300 ? 0.4 : 0.1
                    state.apply(.learningRateChanged(from: lr, to: next, step: step), now: now(step))
                    lr = next
                }
                state.apply(.batch(batch(epoch: epoch, batch: b, lr: lr)), now: now(step))
            }
            if epoch <= fullEpochs {
                state.apply(.epoch(epochMetrics(epoch: epoch, epochs: epochs, lr: lr, images: images)),
                            now: now(epoch * batchesPerEpoch))
            }
        }
        if fullEpochs == epochs && extraBatches == 0 {
            state.apply(.stateChanged(.done), now: now(epochs * batchesPerEpoch))
        }
        return state
    }

    static func now(_ step: Int) -> Double { 1000 + Double(step) / 10 }

    /// Mid-run: 3 epochs done, epoch 4 half way.
    static func running(options: DisplayOptions = DisplayOptions()) -> AppState {
        state(fullEpochs: 3, extraBatches: 117, options: options)
    }

    /// A finished 20-epoch run.
    static func done(options: DisplayOptions = DisplayOptions()) -> AppState {
        state(fullEpochs: 20, extraBatches: 0, options: options)
    }
}
