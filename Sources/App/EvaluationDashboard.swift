import Dashboard
import Engine
import MNISTData
import Terminal

/// `mnist-tui evaluate` in a terminal: the dashboard on a finished evaluation, with nothing training
/// behind it. The same loop and panels as a run (test accuracy, confusion matrix, digits, the
/// misclassified browser); a checkpoint's training history fills the charts; the keys that steer
/// training say the model is only being looked at.
@MainActor
enum EvaluationDashboard {
    /// Shows the dashboard until `q` or a signal; returns the exit status, or nil if the terminal
    /// could not be opened (nothing was shown; the caller prints the plain report instead).
    static func run(model: EvaluatedModel, path: String, metrics: EpochMetrics, dataset: Dataset,
                    allowColor: Bool, forceASCII: Bool, theme: ThemeChoice, mouse: Bool) async -> Int32? {
        let signals = SignalObserver()
        defer { signals.cancel() }
        guard let screen = TerminalScreen.open(allowColor: allowColor, background: theme.forced, mouse: mouse) else {
            return nil
        }
        defer { screen.restore() }

        let clock = MonotonicClock()
        let options = screen.displayOptions(forceASCII: forceASCII)
        var state = AppState(info: info(model, dataset: dataset), testImages: dataset.test, options: options,
                             startTime: clock.now())
        var shown = metrics
        if let snapshot = model.snapshot {
            state.restoreHistory(from: snapshot)
            // The evaluation repeats the last epoch's test figures; its training figures are the run's.
            if let last = snapshot.history.epochs.last, last.epoch == metrics.epoch {
                shown.trainLoss = last.trainLoss
                shown.trainAccuracy = last.trainAccuracy
                shown.trainSeconds = last.trainSeconds
                shown.learningRate = last.learningRate
            }
        }
        let now = clock.now()
        state.apply(.epoch(shown), now: now)
        state.apply(.stateChanged(.done), now: now)
        state.readOnly = "evaluating \(path): nothing is training (read-only); q quits"
        state.note("evaluated \(model.kind) \(path): test accuracy "
                   + NumberFormatting.fixed(metrics.testAccuracy * 100, decimals: 2) + "%", now: now)

        var loop = DashboardLoop(screen: screen, run: ReadOnlyRun(reason: "nothing is training: there is no run to save",
                                                                 weights: model.weights), events: NoEvents(), reports: ReportInbox(),
                                 now: clock.now, interrupted: { signals.received.signal }, state: state)
        switch await loop.run() {
        case .quit: return ExitStatus.success
        case .signal(let number): return 128 + number
        }
    }

    /// What the status lines show of the model: its network, dataset and, for a checkpoint, its run.
    private static func info(_ model: EvaluatedModel, dataset: Dataset) -> RunInfo {
        var config = model.snapshot?.config ?? TrainingConfig()
        if model.snapshot == nil {
            config.hidden = Array(model.layerSizes.dropFirst().dropLast())
            config.epochs = model.epochsTrained ?? 0
        }
        let trainCount = model.snapshot?.trainCount ?? dataset.train.count
        let batchSize = max(config.batchSize, 1)
        return RunInfo(layerSizes: model.layerSizes, config: config, datasetName: dataset.name,
                       classNames: dataset.classNames, trainCount: trainCount, testCount: dataset.test.count,
                       batchesPerEpoch: (trainCount + batchSize - 1) / batchSize,
                       firstEpoch: max(model.epochsTrained ?? 0, 1))
    }
}

/// No training events: the evaluation was applied to the state before the loop started.
private struct NoEvents: SingleRunEventSource {
    func drain() -> (events: [TrainingEvent], finished: Bool) { ([], true) }
}
