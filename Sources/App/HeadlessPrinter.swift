import Engine

/// Turns training events into the headless mode's plain lines (the tutorial's format).
///
/// Pure: `lines(for:)` returns what to print, the caller writes it. Per epoch:
/// `Epoch 3/20, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 93.81%, 1.21 s`
/// and when the run is complete: `Accuracy on test set: 98.12%`.
struct HeadlessPrinter {
    /// The latest evaluation, for the closing line.
    private(set) var lastEpoch: EpochMetrics?
    /// Set once a divergence was reported.
    private(set) var divergence: Divergence?
    /// Every evaluation so far (the comparison's table picks the best).
    private(set) var epochs: [EpochSummary] = []

    /// The lines `event` produces (most events produce none).
    mutating func lines(for event: TrainingEvent) -> [String] {
        switch event {
        case .epoch(let metrics):
            lastEpoch = metrics
            epochs.append(metrics.summary)
            return [Self.epochLine(metrics)]
        case .stateChanged(.done):
            guard let lastEpoch else { return [] }
            return [Self.finalLine(testAccuracy: lastEpoch.testAccuracy)]
        case .stateChanged(.diverged(let divergence)):
            self.divergence = divergence
            return [Self.divergedLine(divergence)]
        case .started, .batch, .stateChanged, .learningRateChanged, .layerHealth:
            return []
        }
    }

    // MARK: Formats

    /// `Epoch 3/20, Loss: 0.2414, Train accuracy: 92.95%, Test accuracy: 93.81%, 1.21 s`.
    /// Accuracies arrive as fractions in [0, 1]; the seconds are the training pass alone.
    static func epochLine(_ m: EpochMetrics) -> String {
        "Epoch \(m.epoch)/\(m.epochs), Loss: \(NumberFormatting.fixed(m.trainLoss, decimals: 4)), "
            + "Train accuracy: \(percent(m.trainAccuracy)), Test accuracy: \(percent(m.testAccuracy)), "
            + "\(NumberFormatting.fixed(m.trainSeconds, decimals: 2)) s"
    }

    /// `Accuracy on test set: 98.12%`.
    static func finalLine(testAccuracy: Double) -> String {
        "Accuracy on test set: \(percent(testAccuracy))"
    }

    /// One line that says what happened, where, and what to do about it.
    static func divergedLine(_ d: Divergence) -> String {
        "Training diverged at epoch \(d.epoch), batch \(d.batch) (loss \(d.loss), lr \(d.learningRate)); "
            + "stopping. Try a lower --lr."
    }

    static func percent(_ fraction: Double) -> String {
        NumberFormatting.fixed(fraction * 100, decimals: 2) + "%"
    }
}
