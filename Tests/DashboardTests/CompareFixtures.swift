import Engine
import MNISTData
@testable import Dashboard

// States with several runs compared (issue 9): the same plausible curves per run, each run a
// little better or worse than the base, one that diverges, and a ghost read from a finished run.

enum CompareFixtures {
    static let longLabels = ["base", "--init default", "--optimizer adam --lr 0.001", "--momentum 0.9"]

    /// Run `run`'s loss at `step`: the base curve, scaled per run.
    static func loss(run: Int, step: Int) -> Float {
        Fixtures.loss(step: step) * [1, 0.8, 1.3, 0.65][run % 4]
    }

    /// `labels.count` runs, 3 epochs done and half the fourth; with `diverging`, that run (0-based)
    /// diverged in epoch 4. `ghost` adds a finished 2-epoch run as a ghost.
    static func state(labels: [String], diverging: Int? = nil, ghost: Bool = false, focus: Int = 0,
                      options: DisplayOptions = DisplayOptions()) -> AppState {
        let images = Fixtures.images()
        let info = Fixtures.info()
        var state = AppState(runs: labels.map { (info, $0) }, testImages: images, options: options, startTime: 1000)
        for run in labels.indices { feed(&state, run: run, fullEpochs: 3, extraBatches: 117, images: images) }
        if let diverging {
            state.apply(.stateChanged(.diverged(Divergence(epoch: 4, batch: 117, loss: .infinity, learningRate: 500,
                                                            rolledBackToEpoch: 4))), run: diverging, now: 1047)
        }
        if ghost {
            var old = RunTrack(info: info, label: "old-run.jsonl", isGhost: true)
            old.partialLinesSkipped = 1
            for step in 1...(2 * Fixtures.batchesPerEpoch) {
                var batch = Fixtures.batch(epoch: (step - 1) / Fixtures.batchesPerEpoch + 1,
                                           batch: (step - 1) % Fixtures.batchesPerEpoch + 1, lr: 0.2)
                batch.loss *= 1.6
                old.apply(.batch(batch), now: 0)
                if step % Fixtures.batchesPerEpoch == 0 {
                    var metrics = Fixtures.epochMetrics(epoch: step / Fixtures.batchesPerEpoch, images: images)
                    metrics.testAccuracy -= 0.02
                    old.apply(.epoch(metrics), now: 0)
                }
            }
            state.addGhost(old)
        }
        for _ in 0..<focus { _ = state.handle(.character(Character(String(focus + 1))), now: 1047) }
        return state
    }

    static func feed(_ state: inout AppState, run: Int, fullEpochs: Int, extraBatches: Int, images: LabeledImages) {
        state.apply(.started(Fixtures.info()), run: run, now: 1000)
        state.apply(.stateChanged(.running), run: run, now: 1000)
        for step in 1...(fullEpochs * Fixtures.batchesPerEpoch + extraBatches) {
            let epoch = (step - 1) / Fixtures.batchesPerEpoch + 1
            var batch = Fixtures.batch(epoch: epoch, batch: (step - 1) % Fixtures.batchesPerEpoch + 1, lr: 0.2)
            batch.loss = loss(run: run, step: step)
            state.apply(.batch(batch), run: run, now: Fixtures.now(step))
            if step % Fixtures.batchesPerEpoch == 0 {
                var metrics = Fixtures.epochMetrics(epoch: epoch, images: images)
                metrics.testAccuracy += [0, 0.004, -0.006, 0.007][run % 4] * Double(epoch) / 3
                metrics.testLoss *= Double([1, 0.8, 1.3, 0.65][run % 4])
                state.apply(.epoch(metrics), run: run, now: Fixtures.now(step))
            }
        }
    }
}
