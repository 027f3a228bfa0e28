import Dashboard
import Engine
import MNISTData
import Terminal

/// The dashboard mode: the UI loop on the main actor (ncurses is single-threaded).
///
/// The trainer runs on its own queue; a detached task drains `Trainer.events` into an
/// `EventInbox` (and the metrics file) as they come, so training never waits on drawing and no
/// event is dropped. The loop sleeps until a key arrives or a frame is due, then reads every
/// pending key, folds the new events into `AppState`, and redraws when something changed: at once
/// after a key or a resize, at most 10 times a second otherwise, and once a second for the clocks
/// (elapsed, ETA).
/// Training shares the machine's cores with this loop (and the terminal), so the rates are the
/// lowest that still look live: every frame and tick taken from them is taken from training.
@MainActor
enum DashboardLoop {
    /// Polling interval while winding down (waiting for the trainer to finish its stream).
    static let tick: Duration = .milliseconds(20)
    /// Minimum time between two frames driven by training events alone (10 fps).
    static let frameInterval = 0.1
    /// Redraw at least this often so elapsed time and ETA move.
    static let clockInterval = 1.0
    /// How long to wait for the trainer to wind down after quit or a signal.
    static let stopTimeout = 2.0

    /// Runs the dashboard until `q` (or a signal) and returns the exit status; nil if the
    /// terminal could not be opened (nothing was started; the caller runs headless).
    static func run(trainer: Trainer, testImages: LabeledImages, allowColor: Bool, forceASCII: Bool,
                    metrics: MetricsWriter?, saver: CheckpointSaver, resumed: TrainingSnapshot?) async -> Int32? {
        // Signals first: from here on SIGINT/SIGTERM/SIGHUP only set a flag the loop reads.
        let signals = SignalObserver()
        defer { signals.cancel() }
        guard let screen = TerminalScreen.open(allowColor: allowColor) else { return nil }
        defer { screen.restore() }

        let clock = MonotonicClock()
        let options = DisplayOptions(unicode: screen.capabilities.unicode && !forceASCII,
                                     color: screen.capabilities.color)
        var state = AppState(info: trainer.info, testImages: testImages, options: options, startTime: clock.now())
        state.checkpointPath = saver.path
        state.confirmSaveOnQuit = saver.automatic
        if let resumed { state.restoreHistory(from: resumed) }
        if !saver.automatic { state.note("s saves a checkpoint to \(saver.path)", now: clock.now()) }

        let inbox = EventInbox()
        let events = trainer.events
        let consumer = Task.detached {
            for await event in events {
                metrics?.record(event)
                inbox.append(event)
            }
            inbox.finish()
        }
        trainer.start()

        var dirty = true
        var urgent = true
        var lastFrame = -Double.infinity
        var quit = false

        while !quit && signals.received.signal == nil {
            // MARK: Keys
            for input in screen.readInput() {
                switch input {
                case .resize:
                    dirty = true
                    urgent = true
                case .key(let key):
                    let now = clock.now()
                    let commands = state.handle(key, now: now)
                    quit = perform(commands, on: trainer, saver: saver, state: &state, now: now) || quit
                    dirty = true
                    urgent = true
                }
            }
            if quit || state.wantsQuit { break }

            // MARK: Events
            let (newEvents, _) = inbox.drain()
            if !newEvents.isEmpty {
                let now = clock.now()
                for event in newEvents {
                    state.apply(event, now: now)
                    switch event {
                    case .epoch(let m) where saver.isDue(afterEpoch: m.epoch):
                        save(saver, state: &state, now: now)
                    case .stateChanged(.done) where saver.automatic:
                        // The finished run is saved: q then has nothing left to ask about.
                        if save(saver, state: &state, now: now) { state.confirmSaveOnQuit = false }
                    default:
                        break
                    }
                }
                dirty = true
            }

            // MARK: Frame
            let now = clock.now()
            if now - lastFrame >= clockInterval { dirty = true }
            if dirty && (urgent || now - lastFrame >= frameInterval) {
                screen.draw(DashboardView.render(state, width: screen.width, height: screen.height, now: now))
                lastFrame = now
                dirty = false
                urgent = false
            }
            // Sleep until a key arrives or the next frame is due. With nothing to draw yet, one
            // frame interval: events that arrive meanwhile (they do not wake the loop) are drawn
            // at the next wake-up, so the screen keeps its 10 fps and signals are seen promptly.
            let wait = dirty ? max(frameInterval - (clock.now() - lastFrame), 0.001) : frameInterval
            screen.waitForInput(upTo: wait)
            await Task.yield()
        }

        // MARK: Winding down
        // Stop after the current batch and let the consumer record the last events, so the
        // metrics file ends whole; bounded, so a stuck trainer cannot hold the terminal hostage.
        trainer.stop()
        let deadline = clock.now() + stopTimeout
        while !inbox.isFinished && clock.now() < deadline {
            try? await Task.sleep(for: tick)
        }
        if !inbox.isFinished { consumer.cancel() }
        screen.restore()
        // A signal with --save: the checkpoint is written (after the trainer stopped) before exiting.
        if let status = signals.received.exitStatus {
            if saver.automatic {
                do {
                    StandardStreams.printError("mnist-tui: \(try saver.save())")
                } catch {
                    StandardStreams.printError("mnist-tui: \(error)")
                }
            }
            return status
        }
        return ExitStatus.success
    }

    /// Saves now and shows the outcome in the keys line; true if it worked.
    @discardableResult
    private static func save(_ saver: CheckpointSaver, state: inout AppState, now: Double) -> Bool {
        do {
            state.note(try saver.save(), now: now)
            return true
        } catch {
            state.note("\(error)", now: now, isError: true)
            return false
        }
    }

    /// Carries out the dashboard's commands on the trainer; true if the program should end.
    private static func perform(_ commands: [Command], on trainer: Trainer, saver: CheckpointSaver,
                                state: inout AppState, now: Double) -> Bool {
        var quit = false
        for command in commands {
            switch command {
            case .pause: trainer.pause()
            case .resume: trainer.resume()
            case .setLearningRate(let lr): trainer.setLearningRate(lr)
            case .saveCheckpoint:
                // At once, on this thread: a snapshot between batches plus an atomic write of a few
                // MB takes milliseconds. A failure is shown; the run goes on.
                save(saver, state: &state, now: now)
            case .quit: quit = true
            }
        }
        return quit
    }
}

/// Seconds on a monotonic clock, from an arbitrary origin (the loop only takes differences).
struct MonotonicClock {
    private let origin = ContinuousClock.now

    /// Leaves out the time the program spent stopped by Ctrl-Z, so elapsed and ETA do not jump.
    func now() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            - TerminalScreen.secondsStopped
    }
}
