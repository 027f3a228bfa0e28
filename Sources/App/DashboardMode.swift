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
    static func run(trainer: Trainer, testImages: LabeledImages, allowColor: Bool, forceASCII: Bool, theme: ThemeChoice,
                    outputs: RunOutputs, saver: CheckpointSaver, resumed: TrainingSnapshot?) async -> RunEnding? {
        // Signals first: from here on SIGINT/SIGTERM/SIGHUP only set a flag the loop reads.
        let signals = SignalObserver()
        defer { signals.cancel() }
        guard let screen = TerminalScreen.open(allowColor: allowColor, background: theme.forced) else { return nil }
        defer { screen.restore() }

        let clock = MonotonicClock()
        let options = screen.displayOptions(forceASCII: forceASCII)
        var state = AppState(info: trainer.info, testImages: testImages, options: options, startTime: clock.now())
        state.checkpointPath = saver.path
        state.confirmSaveOnQuit = saver.automatic
        if let resumed { state.restoreHistory(from: resumed) }
        if !saver.automatic { state.note("s saves a checkpoint to \(saver.path)", now: clock.now()) }

        // One queue per consumer, both filled by the training thread: the UI's, and the outputs'.
        let events = trainer.subscribe()
        let reports = ReportInbox()
        let pump = OutputPump(events: trainer.events, outputs: outputs, inbox: reports)
        trainer.start()

        var loop = DashboardLoop(screen: screen, run: LiveRun(trainer: trainer, saver: saver), events: events,
                                 reports: reports, now: clock.now, interrupted: { signals.received.signal },
                                 state: state)
        let end = await loop.run()

        // Stop after the current batch and let the outputs record the last events, so the metrics
        // file ends whole; bounded, so a stuck trainer cannot hold the terminal hostage.
        trainer.stop()
        _ = await pump.waitForEnd(seconds: stopTimeout)
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

/// The real run behind the dashboard's keys.
final class LiveRun: RunControl {
    let trainer: Trainer
    let saver: CheckpointSaver

    init(trainer: Trainer, saver: CheckpointSaver) {
        self.trainer = trainer
        self.saver = saver
    }

    func pause() { trainer.pause() }
    func resume() { trainer.resume() }
    func setLearningRate(_ lr: Float) { _ = trainer.setLearningRate(lr) }
    func saveCheckpoint(to path: String?) throws -> String { try saver.save(to: path) }
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
