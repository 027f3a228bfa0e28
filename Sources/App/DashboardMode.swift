import Dashboard
import Engine
import MNISTData
import Terminal

/// The dashboard mode with a real trainer and terminal: signals, the screen, the run's two
/// consumers (the UI loop's queue, the outputs' queue), then winding down.
@MainActor
enum DashboardMode {
    /// How long to wait for the trainer to wind down after quit or a signal.
    static let stopTimeout = 2.0

    /// Runs the dashboard until `q` (or a signal) and returns how the run ended; nil if the
    /// terminal could not be opened (nothing was started; the caller runs headless).
    /// `trainers` are the runs to compare, the base run first, named by `labels` ("base",
    /// "--init default"), with `outputs` one per run; `saver` and `resumed` are the base run's.
    /// `ghosts` are finished runs to draw beside them (`--compare-with`). `layerHealthEvery`: how
    /// often the outputs need layer health (`--metrics`), which the Layers panel must not switch off.
    static func run(trainers: [Trainer], labels: [String], ghosts: [RunTrack] = [], testImages: LabeledImages,
                    allowColor: Bool, forceASCII: Bool, theme: ThemeChoice, mouse: Bool, outputs: [RunOutputs],
                    layerHealthEvery: Int?, saver: CheckpointSaver, resumed: TrainingSnapshot?) async -> RunEnding? {
        // The callers build one RunOutputs per trainer and at least the base run: a mismatch is a bug
        // here, not a terminal that would not open (which nil means to the caller).
        precondition(!trainers.isEmpty && outputs.count == trainers.count && labels.count == trainers.count,
                     "one label and one RunOutputs per trainer, the base run first")
        // Signals first: from here on SIGINT/SIGTERM/SIGHUP only set a flag the loop reads.
        let signals = SignalObserver()
        defer { signals.cancel() }
        guard let screen = TerminalScreen.open(allowColor: allowColor, background: theme.forced, mouse: mouse) else {
            return nil
        }
        defer { screen.restore() }

        let clock = MonotonicClock()
        let options = screen.displayOptions(forceASCII: forceASCII)
        let runs = trainers.enumerated().map { (info: $1.info, label: $0 < labels.count ? labels[$0] : "run \($0 + 1)") }
        var state = AppState(runs: runs, testImages: testImages, options: options, startTime: clock.now())
        for ghost in ghosts { state.addGhost(ghost) }
        state.checkpointPath = saver.path
        state.confirmSaveOnQuit = saver.automatic
        if let resumed { state.restoreHistory(from: resumed) }
        if !saver.automatic { state.note("s saves a checkpoint to \(saver.path)", now: clock.now()) }

        // One queue per consumer, both filled by the training thread: the UI's, and the outputs'.
        let events = RunEvents(trainers.map { $0.subscribe() })
        let reports = ReportInbox()
        let pumps = zip(trainers, outputs).map { OutputPump(events: $0.events, outputs: $1, inbox: reports) }
        // One training thread for every run, one batch of each in turn (a single run: a group of one).
        TrainingGroup(trainers).start()

        let control = LiveRun(trainers: trainers, saver: saver,
                              outputsNeed: Array(repeating: layerHealthEvery, count: trainers.count))
        var loop = DashboardLoop(screen: screen, run: control, events: events,
                                 reports: reports, now: clock.now, interrupted: { signals.received.signal },
                                 state: state)
        let end = await loop.run()

        // Stop after the current batch and let the outputs record the last events, so the metrics
        // file ends whole; bounded, so a stuck trainer cannot hold the terminal hostage.
        for trainer in trainers { trainer.stop() }
        let stopDeadline = clock.now() + stopTimeout  // one bound for all the runs' outputs together
        for pump in pumps { _ = await pump.waitForEnd(seconds: max(0, stopDeadline - clock.now())) }
        screen.restore()
        // Reports the screen never showed (a save at the very end) go to stderr, now readable.
        for report in reports.drain() where report.isError {
            StandardStreams.printError("mnist-tui: \(report.text)")
        }
        switch end {
        case .quit: return .quit
        case .signal(let number): return .signal(number)
        }
    }
}

extension TerminalScreen {
    /// How the dashboard draws on this terminal: its glyphs (ASCII if forced), colours, background.
    func displayOptions(forceASCII: Bool) -> DisplayOptions {
        DisplayOptions(unicode: capabilities.unicode && !forceASCII, color: capabilities.color,
                       background: capabilities.background)
    }
}

/// The real runs behind the dashboard's keys (the checkpoint saved is the base run's).
final class LiveRun: RunControl {
    let trainers: [Trainer]
    let saver: CheckpointSaver
    /// Layer health an output needs of each run anyway (`--metrics` records it): what a run goes
    /// back to when the Layers panel stops asking. nil: nothing needs it.
    let outputsNeed: [Int?]

    init(trainers: [Trainer], saver: CheckpointSaver, outputsNeed: [Int?] = []) {
        self.trainers = trainers
        self.saver = saver
        self.outputsNeed = outputsNeed
    }

    func pause() { for trainer in trainers { trainer.pause() } }
    func resume() { for trainer in trainers { trainer.resume() } }

    func setLearningRate(_ lr: Float, run: Int) {
        guard trainers.indices.contains(run) else { return }
        _ = trainers[run].setLearningRate(lr)
    }

    func setLayerHealth(every steps: Int?, run: Int) {
        guard trainers.indices.contains(run) else { return }
        let needed = run < outputsNeed.count ? outputsNeed[run] : nil
        // The more frequent of the two askers wins; neither asking stops the figures.
        let every = [steps, needed].compactMap { $0 }.min()
        trainers[run].setLayerHealth(every: every)
    }

    func saveCheckpoint(to path: String?) throws -> String { try saver.save(to: path) }
    func currentWeights(run: Int) -> ModelWeights? {
        trainers.indices.contains(run) ? trainers[run].currentWeights() : nil
    }
}

/// The UI's events of every run: one subscription per trainer, drained in run order each frame
/// (each run's own events stay in order; the panels never compare events across runs by time).
final class RunEvents: EventSource {
    let subscriptions: [EventSubscription]

    init(_ subscriptions: [EventSubscription]) { self.subscriptions = subscriptions }

    func drainRuns() -> [RunEvent] {
        subscriptions.enumerated().flatMap { index, subscription in
            subscription.drain().events.map { RunEvent(run: index, event: $0) }
        }
    }
}

/// Seconds on a monotonic clock, from an arbitrary origin (the loop only takes differences).
struct MonotonicClock: Sendable {
    private let origin = ContinuousClock.now

    /// Leaves out the time the program spent stopped by Ctrl-Z, so elapsed and ETA do not jump.
    func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            - TerminalScreen.secondsStopped
    }
}
