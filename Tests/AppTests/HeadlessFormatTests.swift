import Testing
@testable import App
import Engine

/// The headless lines are the tutorial's, to the character.
@Suite struct HeadlessFormatTests {
    static func epoch(_ n: Int, of total: Int = 20, trainLoss: Double = 0.24136, trainAccuracy: Double = 0.92954,
                      testAccuracy: Double = 0.9381, seconds: Double = 1.2149) -> EpochMetrics {
        EpochMetrics(epoch: n, epochs: total, trainLoss: trainLoss, trainAccuracy: trainAccuracy, testLoss: 0.21,
                     testAccuracy: testAccuracy, trainSeconds: seconds, learningRate: 0.2,
                     confusion: ConfusionMatrix(classes: 10), predictions: [], misclassified: [])
    }

    @Test func epochLine() {
        #expect(HeadlessPrinter.epochLine(Self.epoch(3))
                == "Epoch 3/20, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 93.81%, 1.21 s")
    }

    @Test func finalLine() {
        #expect(HeadlessPrinter.finalLine(testAccuracy: 0.98124) == "Accuracy on test set: 98.12%")
        #expect(HeadlessPrinter.finalLine(testAccuracy: 1) == "Accuracy on test set: 100.00%")
    }

    @Test("a run prints one line per epoch, then the closing line on done, nothing for batches")
    func printerSequence() {
        var printer = HeadlessPrinter()
        var lines: [String] = []
        let batch = BatchMetrics(epoch: 1, batch: 1, batchesPerEpoch: 2, step: 1, loss: 2.3, learningRate: 0.2,
                                 samplesPerSecond: 1000)
        for event: TrainingEvent in [
            .stateChanged(.running), .batch(batch), .epoch(Self.epoch(1, of: 2)), .batch(batch),
            .learningRateChanged(from: 0.2, to: 0.4, step: 3), .epoch(Self.epoch(2, of: 2, testAccuracy: 0.98124)),
            .stateChanged(.done),
        ] {
            lines += printer.lines(for: event)
        }
        #expect(lines == [
            "Epoch 1/2, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 93.81%, 1.21 s",
            "Epoch 2/2, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 98.12%, 1.21 s",
            "Accuracy on test set: 98.12%",
        ])
    }

    @Test("a stopped run prints no closing accuracy")
    func stopped() {
        var printer = HeadlessPrinter()
        _ = printer.lines(for: .epoch(Self.epoch(1)))
        #expect(printer.lines(for: .stateChanged(.stopped)).isEmpty)
    }

    @Test("divergence is one line with epoch, batch and lr")
    func diverged() {
        var printer = HeadlessPrinter()
        let divergence = Divergence(epoch: 2, batch: 17, loss: 1e30, learningRate: 500, rolledBackToEpoch: 2)
        let lines = printer.lines(for: .stateChanged(.diverged(divergence)))
        #expect(lines.count == 1)
        let line = lines.first ?? ""
        #expect(line.contains("diverged"))
        #expect(line.contains("epoch 2"))
        #expect(line.contains("batch 17"))
        #expect(line.contains("lr 500"))
        #expect(printer.divergence == divergence)
    }

    @Test("fixed-point formatting rounds, pads and never uses a locale", arguments: [
        (0.24136, 4, "0.2414"), (92.954, 2, "92.95"), (1.0, 2, "1.00"), (0.005, 0, "0"), (9.999, 2, "10.00"),
        (-0.5, 1, "-0.5"), (-0.0001, 2, "0.00"), (123456.789, 1, "123456.8"), (0.0, 4, "0.0000"),
        (Double.nan, 2, "nan"), (Double.infinity, 2, "inf"), (-Double.infinity, 2, "-inf"),
    ])
    func fixed(value: Double, decimals: Int, expected: String) {
        #expect(NumberFormatting.fixed(value, decimals: decimals) == expected)
    }
}
