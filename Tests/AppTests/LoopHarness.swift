import Cells
@testable import App
import Dashboard
import Engine
import MNISTData
import Synchronization

// A scripted stand-in for the terminal, the trainer and the clock, so the whole dashboard loop
// (keys -> state -> commands -> run; events -> state; frames out) runs in Swift Testing.

/// One step of a script: the test screen plays one per `readInput()` call.
enum Step {
    case keys([Key])
    /// Mouse reports (clicks, wheel notches), as the terminal backend decodes them.
    case mouse([MouseEvent])
    case resize(width: Int, height: Int)
    /// Training events arriving on the UI's queue (the base run's).
    case events([TrainingEvent])
    /// Training events of run `run` (0-based) arriving on the UI's queue.
    case runEvents(Int, [TrainingEvent])
    /// A report from the outputs (e.g. "checkpoint saved").
    case report(OutputReport)
    /// Nothing happens for one frame interval or so.
    case idle
    /// Nothing happens for `seconds` (the fake clock jumps).
    case wait(Double)
    /// Something outside the loop happens (a watched file grows).
    case act(@Sendable () -> Void)
}

/// The screen: plays the script, records every frame, moves the fake clock when the loop sleeps.
@MainActor
final class TestScreen: DashboardScreen {
    private(set) var width: Int
    private(set) var height: Int
    private(set) var frames: [CellGrid] = []
    private(set) var restored = false
    private var steps: [Step]
    let clock: FakeClock
    let events: FakeEvents
    let reports: ReportInbox
    /// The script ran out: the loop is told a SIGTERM arrived.
    private(set) var exhausted = false

    init(width: Int = 120, height: Int = 40, steps: [Step], clock: FakeClock, events: FakeEvents, reports: ReportInbox) {
        self.width = width
        self.height = height
        self.steps = steps
        self.clock = clock
        self.events = events
        self.reports = reports
    }

    func readInput() -> [TerminalInput] {
        guard !steps.isEmpty else {
            exhausted = true
            return []
        }
        switch steps.removeFirst() {
        case .keys(let keys): return keys.map { .key($0) }
        case .mouse(let events): return events.map { .mouse($0) }
        case .resize(let w, let h):
            width = w
            height = h
            return [.resize]
        case .events(let new):
            events.push(new)
        case .runEvents(let run, let new):
            events.push(new, run: run)
        case .report(let report):
            reports.append([report])
        case .idle:
            break
        case .wait(let seconds):
            clock.advance(seconds)
        case .act(let action):
            action()
        }
        return []
    }

    func waitForInput(upTo seconds: Double) { clock.advance(seconds) }

    func draw(_ grid: CellGrid) { frames.append(grid) }

    func restore() { restored = true }

    var lastFrame: [String] { frames.last?.lines ?? [] }
    var lastText: String { lastFrame.joined(separator: "\n") }
}

/// Seconds that pass only when the loop sleeps.
final class FakeClock: Sendable {
    private let seconds = Mutex(1000.0)
    func now() -> Double { seconds.withLock { $0 } }
    func advance(_ by: Double) { seconds.withLock { $0 += by } }
}

/// The UI's queue of training events, filled by the script, each tagged with its run.
final class FakeEvents: EventSource {
    private let queue = Mutex<[RunEvent]>([])
    func push(_ events: [TrainingEvent], run: Int = 0) {
        queue.withLock { $0 += events.map { RunEvent(run: run, event: $0) } }
    }
    func drainRuns() -> [RunEvent] {
        queue.withLock { q in
            defer { q = [] }
            return q
        }
    }
}

/// The trainer and checkpoint writer: records what the loop asked; saves fail while `failures` > 0.
final class FakeRun: RunControl {
    enum Call: Equatable {
        case pause, resume
        case learningRate(Float, run: Int = 0)
        case layerHealth(every: Int?, run: Int)
        case save(String?)
    }

    private let log = Mutex<[Call]>([])
    private let failures: Mutex<Int>
    static let failure = "run.ckpt: cannot create a temporary file in .: No space left on device"

    /// What `currentWeights` hands out (nil: none, as when watching a file), and how often it was asked.
    private let weights: ModelWeights?
    private let fetches = Mutex(0)

    init(failingSaves: Int = 0, weights: ModelWeights? = nil) {
        failures = Mutex(failingSaves)
        self.weights = weights
    }

    var calls: [Call] { log.withLock { $0 } }
    var weightFetches: Int { fetches.withLock { $0 } }

    func currentWeights(run: Int) -> ModelWeights? {
        fetches.withLock { $0 += 1 }
        return weights
    }

    func pause() { log.withLock { $0.append(.pause) } }
    func resume() { log.withLock { $0.append(.resume) } }
    func setLearningRate(_ lr: Float, run: Int) { log.withLock { $0.append(.learningRate(lr, run: run)) } }
    func setLayerHealth(every steps: Int?, run: Int) { log.withLock { $0.append(.layerHealth(every: steps, run: run)) } }

    struct SaveFailed: Error, CustomStringConvertible { var description: String }

    func saveCheckpoint(to path: String?) throws -> String {
        log.withLock { $0.append(.save(path)) }
        let fail = failures.withLock { n -> Bool in
            defer { n = max(0, n - 1) }
            return n > 0
        }
        if fail { throw SaveFailed(description: Self.failure) }
        return "checkpoint saved to \(path ?? "?") (1 epoch done)"
    }
}

/// A whole loop run: the script, the fakes, and what came out.
@MainActor
struct LoopRun {
    let screen: TestScreen
    let run: FakeRun
    let end: DashboardLoop<TestScreen>.End
    let state: AppState

    /// Plays `steps` through a fresh loop; with `saving`, q asks before quitting (--save).
    static func play(_ steps: [Step], width: Int = 120, height: Int = 40, saving: Bool = false,
                     failingSaves: Int = 0, labels: [String] = ["base"], weights: ModelWeights? = nil,
                     prepare: (inout AppState) -> Void = { _ in }) async -> LoopRun {
        let clock = FakeClock()
        let events = FakeEvents()
        let reports = ReportInbox()
        let screen = TestScreen(width: width, height: height, steps: steps, clock: clock, events: events, reports: reports)
        let run = FakeRun(failingSaves: failingSaves, weights: weights)
        var state = AppState(runs: labels.map { (LoopFixtures.info, $0) }, testImages: LoopFixtures.images,
                             options: DisplayOptions(unicode: true, color: true), startTime: clock.now())
        state.checkpointPath = "run.ckpt"
        state.confirmSaveOnQuit = saving
        prepare(&state)
        var loop = DashboardLoop(screen: screen, run: run, events: events, reports: reports, now: clock.now,
                                 interrupted: { [screen] in MainActor.assumeIsolated { screen.exhausted ? 15 : nil } },
                                 state: state)
        let end = await loop.run()
        return LoopRun(screen: screen, run: run, end: end, state: loop.state)
    }
}

enum LoopFixtures {
    static let batchesPerEpoch = 10

    static let info = RunInfo(layerSizes: [784, 32, 10], config: TrainingConfig(), datasetName: "MNIST",
                              classNames: (0..<10).map(String.init), trainCount: 2560, testCount: 20,
                              batchesPerEpoch: batchesPerEpoch)

    static let images: LabeledImages = {
        var pixels = [UInt8](repeating: 0, count: 20 * 784)
        for i in pixels.indices where (i / 28 + i % 28) % 7 == 0 { pixels[i] = 200 }
        return LabeledImages(count: 20, rows: 28, cols: 28, pixels: pixels, labels: (0..<20).map { UInt8($0 % 10) })
    }()

    static func batch(_ step: Int, lr: Float = 0.2) -> TrainingEvent {
        .batch(BatchMetrics(epoch: (step - 1) / batchesPerEpoch + 1, batch: (step - 1) % batchesPerEpoch + 1,
                            batchesPerEpoch: batchesPerEpoch, step: step, loss: 2.3 / Float(step),
                            learningRate: lr, samplesPerSecond: 40_000))
    }

    static func epoch(_ n: Int) -> TrainingEvent {
        var confusion = ConfusionMatrix(classes: 10)
        for c in 0..<10 { confusion.counts[c * 10 + c] = 2 }
        confusion.counts[3 * 10 + 5] = 1
        let wrong = [Misclassified(testIndex: 3, label: 3, predicted: 5,
                                   probabilities: (0..<10).map { $0 == 5 ? 0.6 : 0.04 })]
        return .epoch(EpochMetrics(epoch: n, epochs: 20, trainLoss: 0.4, trainAccuracy: 0.9, testLoss: 0.35,
                                   testAccuracy: 0.95, trainSeconds: 1.2, learningRate: 0.2, confusion: confusion,
                                   predictions: (0..<20).map { UInt8($0 % 10) }, misclassified: wrong))
    }

    /// The start of a run with a first epoch evaluated (so the browser has a digit).
    static let firstEpoch: [TrainingEvent] =
        [.started(info), .stateChanged(.running)] + (1...10).map { batch($0) } + [epoch(1)]
}
