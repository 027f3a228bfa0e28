import Cells
import Dashboard
import Engine
import Terminal

/// What the dashboard loop needs of a screen: `TerminalScreen` (ncurses) is the real one; tests
/// drive the whole loop with a scripted one (keys in, frames out).
@MainActor
protocol DashboardScreen: AnyObject {
    var width: Int { get }
    var height: Int { get }
    /// Everything typed since the last call (never blocks); `.resize` after a size change.
    func readInput() -> [TerminalInput]
    /// Sleeps until input is waiting or `seconds` have passed.
    func waitForInput(upTo seconds: Double)
    func draw(_ grid: CellGrid)
    /// Gives the terminal back (idempotent).
    func restore()
}

extension TerminalScreen: DashboardScreen {}

/// What the loop asks of the runs: the trainers' controls and saving a checkpoint now. `LiveRun`
/// is the real one; tests pass a fake that records the calls. Runs are numbered from 0 (the base run).
protocol RunControl: AnyObject, Sendable {
    /// Pauses every run.
    func pause()
    /// Resumes every run.
    func resume()
    func setLearningRate(_ lr: Float, run: Int)
    /// Layer-health figures from run `run` every `steps` steps; nil: the dashboard no longer
    /// needs them (the run keeps sending them if an output does).
    func setLayerHealth(every steps: Int?, run: Int)
    /// Writes a checkpoint to `path` (nil: the default place) now; returns the one-line report.
    func saveCheckpoint(to path: String?) throws -> String
    /// A copy of the model's weights now (between batches), for the inspection views; nil when
    /// there are none (a watched metrics file). `run` counts from 0, the base run.
    func currentWeights(run: Int) -> ModelWeights?
}

extension RunControl {
    func currentWeights(run: Int) -> ModelWeights? { nil }
}

/// Where the loop's training events come from: its own queue, drained once per frame.
protocol EventSource: Sendable {
    /// The events since the last call, with the index of the run that sent each (0: the base run).
    func drainRuns() -> [RunEvent]
    /// What else the source tells the state, after the frame's events (`watch`: the file's status
    /// and the test images it loaded). True if it changed anything. Most sources have nothing.
    func update(_ state: inout AppState, now: Double) -> Bool
}

extension EventSource {
    func update(_ state: inout AppState, now: Double) -> Bool { false }
}

/// A source of one run's events (a trainer's subscription, `watch`, `evaluate`): all run 0's.
protocol SingleRunEventSource: EventSource {
    func drain() -> (events: [TrainingEvent], finished: Bool)
}

extension SingleRunEventSource {
    func drainRuns() -> [RunEvent] { drain().events.map { RunEvent(run: 0, event: $0) } }
}

/// A training event and the run (0-based) that sent it.
struct RunEvent: Sendable, Equatable {
    var run: Int
    var event: TrainingEvent
}

extension EventSubscription: SingleRunEventSource {}

/// The dashboard's UI loop, on the main actor (ncurses is single-threaded), generic over its screen.
///
/// It sleeps until a key arrives or a frame is due, then reads every pending key (keys -> state ->
/// commands -> run), folds the new events and output reports into `AppState`, and redraws when
/// something changed: at once after a key or a resize, at most 10 times a second otherwise, and
/// once a second for the clocks (elapsed, ETA). Training shares the machine's cores with this loop,
/// so the rates are the lowest that still look live. Files are not written here: the run's
/// outputs consume their own queue of events (`OutputPump`) and send their reports to `reports`.
@MainActor
struct DashboardLoop<Screen: DashboardScreen> {
    /// Minimum time between two frames driven by training events alone (10 fps).
    static var frameInterval: Double { 0.1 }
    /// Redraw at least this often so elapsed time and ETA move.
    static var clockInterval: Double { 1.0 }

    let screen: Screen
    let run: any RunControl
    let events: any EventSource
    let reports: ReportInbox
    /// Seconds on a monotonic clock (the loop only takes differences).
    let now: () -> Double
    /// The end-of-run signal received, if any (checked every wake-up).
    let interrupted: () -> Int32?
    var state: AppState

    /// How the loop ended.
    enum End: Equatable {
        case quit
        case signal(Int32)
    }

    /// Runs until the user quits or a signal arrives.
    mutating func run() async -> End {
        var dirty = true
        var urgent = true
        var lastFrame = -Double.infinity
        while true {
            if let signal = interrupted() { return .signal(signal) }
            // MARK: Keys
            for input in screen.readInput() {
                switch input {
                case .resize:
                    break
                case .key(let key):
                    perform(state.handle(key, now: now()))
                case .mouse(let mouse):
                    perform(state.handle(mouse: mouse, width: screen.width, height: screen.height, now: now()))
                }
                dirty = true
                urgent = true
            }
            if state.wantsQuit { return .quit }

            // MARK: Events and reports
            let newEvents = events.drainRuns()
            let newReports = reports.drain()
            if !newEvents.isEmpty || !newReports.isEmpty {
                let time = now()
                for tagged in newEvents { state.apply(tagged.event, run: tagged.run, now: time) }
                for report in newReports {
                    state.note(report.text, now: time, isError: report.isError)
                    // The finished run is saved: q then has nothing left to ask about.
                    if report.savedRun { state.confirmSaveOnQuit = false }
                }
                dirty = true
            }
            if events.update(&state, now: now()) { dirty = true }
            // The inspection views' weights: copied only while one is open, a few times a second at most.
            if state.wantsWeights(now: now()) {
                state.updateWeights(run.currentWeights(run: state.focusedRun), now: now())
                dirty = true
            }

            // MARK: Frame
            let time = now()
            if time - lastFrame >= Self.clockInterval { dirty = true }
            if dirty && (urgent || time - lastFrame >= Self.frameInterval) {
                screen.draw(DashboardView.render(state, width: screen.width, height: screen.height, now: time))
                lastFrame = time
                dirty = false
                urgent = false
            }
            // Sleep until a key arrives or the next frame is due. With nothing to draw yet, one
            // frame interval: events that arrive meanwhile (they do not wake the loop) are drawn
            // at the next wake-up, so the screen keeps its 10 fps and signals are seen promptly.
            let wait = dirty ? max(Self.frameInterval - (now() - lastFrame), 0.001) : Self.frameInterval
            screen.waitForInput(upTo: wait)
            await Task.yield()
        }
    }

    /// Carries out the dashboard's commands; a save's outcome goes back to the state (which may
    /// answer with `.quit`).
    private mutating func perform(_ commands: [Command]) {
        for command in commands {
            switch command {
            case .pause: run.pause()
            case .resume: run.resume()
            case .setLearningRate(let lr, let index): run.setLearningRate(lr, run: index)
            case .setLayerHealth(let every, let index): run.setLayerHealth(every: every, run: index)
            case .saveCheckpoint(let path, let thenQuit):
                // At once, on this thread: a snapshot between batches plus an atomic write of a few
                // MB takes milliseconds. A failure is shown and keeps the dashboard open.
                let outcome: SaveOutcome
                do {
                    outcome = .saved(report: try run.saveCheckpoint(to: path))
                } catch {
                    outcome = .failed(reason: "\(error)")
                }
                perform(state.finishSave(outcome, path: path, thenQuit: thenQuit, now: now()))
            case .quit:
                break  // `state.wantsQuit` ends the loop
            }
        }
    }
}
