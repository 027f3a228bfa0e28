// `mnist-tui-bench --layer-health N`: what issue 9's layer-health figures cost. The same run's
// training passes timed with the figures every N steps (and at each epoch's end, as the metrics
// file asks) and without, epochs alternating between two trainers so that load drifts hit both.
import Engine
import MNISTData

enum LayerHealthCost {
    /// Prints each pair of epoch times and the ratio of the totals (the budget: at most 1.01).
    static func run(dataset: Dataset, config: TrainingConfig, every: Int) throws {
        BlasThreads.set(config.threads)  // as the training thread would
        let plain = try Trainer(dataset: dataset, config: config)
        let watched = try Trainer(dataset: dataset, config: config)
        watched.setLayerHealth(every: every)
        print("layer health every \(every) steps against none, \(config.epochs) epochs, BLAS threads \(config.threads):")
        var totals = (plain: 0.0, watched: 0.0)
        for epoch in 1...config.epochs {
            let off = trainEpoch(plain), on = trainEpoch(watched)
            totals.plain += off
            totals.watched += on
            print("  epoch \(epoch): without \(fmt(off, 3)) s, with \(fmt(on, 3)) s")
        }
        print("layer health cost: \(fmt(totals.watched / totals.plain, 4))x the training time (budget 1.01x)")
        for trainer in [plain, watched] { trainer.stop() }
    }

    /// Wall time of one epoch's training steps (the figures included; the evaluation left out).
    private static func trainEpoch(_ trainer: Trainer) -> Double {
        var seconds = 0.0
        while true {
            let start = ContinuousClock.now
            let (trained, finished) = trainer.advanceOnCallingThread()
            if trained { seconds += Double((ContinuousClock.now - start) / .seconds(1)) }
            if finished || !trained { return seconds }
        }
    }
}
