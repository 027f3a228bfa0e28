import Cells
import Engine
import MNISTData

// The dashboard's state: everything it knows about the run, plus what the user is looking at.
// Pure data; `DashboardView.render` turns it into cells, `apply`/`handle` change it.
// Long file: the one struct every mode shares (training, watch, evaluate); its behaviour is split
// out already (AppState+Keys, the Keymap, the widgets), what is left is its fields, their docs and apply.

/// How the loss chart's y axis is scaled.
public enum LossScale: Sendable, Equatable {
    case linear, log
}

/// Which panel the arrow keys drive.
public enum Focus: Sendable, Equatable {
    case none
    case confusion
}

/// A cell of the confusion matrix: true class (row) and predicted class (column).
public struct MatrixCell: Sendable, Equatable {
    public var truth: Int
    public var predicted: Int
    public init(truth: Int, predicted: Int) {
        self.truth = truth
        self.predicted = predicted
    }
}

/// One epoch's figures, kept for the whole run (the full `EpochMetrics` only for the latest):
/// the engine's summary (the same one a checkpoint stores) and where on the step axis it ended.
public struct EpochPoint: Sendable, Equatable {
    public var summary: EpochSummary
    /// The global step the epoch ended at (where its test loss is drawn).
    public var endStep: Int

    public init(summary: EpochSummary, endStep: Int) {
        self.summary = summary
        self.endStep = endStep
    }
}

/// The state of a followed metrics file (`watch`), as the keys line and status bar show it.
public struct WatchStatus: Sendable, Equatable {
    /// One line: the file, what it is doing, lines skipped ("watching run.jsonl · waiting · ...").
    public var text: String
    /// No run yet, or no new lines for a while: the status bar says WAITING instead of RUNNING.
    public var waiting: Bool
    /// Something is wrong (skipped lines, a dataset mismatch): drawn as a warning.
    public var isError: Bool

    public init(text: String, waiting: Bool, isError: Bool = false) {
        self.text = text
        self.waiting = waiting
        self.isError = isError
    }
}

/// The misclassified-digit browser: which digits it walks through and where it is.
public struct BrowserState: Sendable, Equatable {
    /// nil: every misclassified digit; otherwise only the digits of this confusion cell.
    public var filter: MatrixCell?
    /// Indices into the latest evaluation's `misclassified`.
    public var items: [Int]
    public var position: Int
}

/// A short note shown in the keys line for a few seconds ("checkpoint requested"), or until the
/// next note when sticky (a failed save stays until it is dealt with).
public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var time: Double
    public var isError: Bool
    public var sticky = false
}

/// The learning rate, held in one place: what the engine last announced, and the rates keys asked
/// for that the engine has not announced yet. Keys build on the newest request, so fast presses
/// are not undone by the echoes of older ones (the engine applies only the latest it finds).
public struct LearningRate: Sendable, Equatable {
    /// The engine's word: its configuration, then each `.learningRateChanged` and divergence.
    public private(set) var engine: Float
    /// Asked for by keys, oldest first, not announced yet.
    public private(set) var requested: [Float] = []
    /// At most this many are remembered.
    static let requestLimit = 32

    /// What the dashboard shows and the next key multiplies.
    public var current: Float { requested.last ?? engine }

    init(_ rate: Float) { engine = rate }

    mutating func request(_ rate: Float) {
        requested.append(rate)
        if requested.count > Self.requestLimit { requested.removeFirst() }
    }

    /// The engine announced `rate`. The echo of an older request leaves the newer ones standing;
    /// the newest request, or a rate nobody asked for, is the engine's word and ends the requests.
    mutating func announced(_ rate: Float) {
        engine = rate
        if let index = requested.firstIndex(of: rate), index < requested.count - 1 {
            requested.removeFirst(index + 1)
        } else {
            requested = []
        }
    }

    /// The engine set the rate by itself (a new run, a resumed checkpoint): requests are void.
    mutating func reset(_ rate: Float) {
        engine = rate
        requested = []
    }
}

/// Typing a path for the checkpoint after a failed save (`s`): the keys line is the editor.
public struct PathEditor: Sendable, Equatable {
    public var text: String
    /// The save was asked for by quitting (`q`, `y`): quit once it works.
    public var thenQuit: Bool
    /// Longest path taken (a paste cannot grow it without bound).
    static let maxLength = 4096
}

/// Everything the dashboard shows, updated by training events and key presses.
public struct AppState: Sendable {
    /// The factor `+` multiplies and `-` divides the learning rate by.
    public static let learningRateFactor: Float = 2
    /// Bounds the keys keep the learning rate within.
    public static let learningRateRange: ClosedRange<Float> = 1e-7...1e4
    /// Seconds a status message stays visible.
    public static let messageSeconds: Double = 6
    /// While the Layers panel shows, the focused run reports layer health every this many steps:
    /// one report costs about 0.8 of a step (`mnist-tui-bench --layer-health 1`: 1.79x), so 100
    /// keeps it under 1% of training (issue 9) and still moves the trends twice an epoch.
    public static let layerHealthEvery = 100

    // MARK: Run data
    /// Every run trained, the base run first (run 1 on screen); at least one.
    public internal(set) var runs: [RunTrack]
    /// Finished runs read from metrics files (`--compare-with`), drawn beside the live ones.
    public private(set) var ghosts: [RunTrack] = []
    /// The run the status line, digits, matrix, browser, `+`/`-` and the Layers panel act on.
    public internal(set) var focusedRun = 0
    public private(set) var testImages: LabeledImages
    public var options: DisplayOptions
    /// Set when nothing trains behind the dashboard (a run watched, a model evaluated): the keys
    /// that steer training (pause, learning rate, save) only show this text and the keys line
    /// leaves them out ("read-only: watching run.jsonl").
    public var readOnly: String?
    /// What `watch` says about the file it follows (kept in the keys line); nil when training.
    public var watch: WatchStatus?
    public let startTime: Double

    // The focused run's figures, under the names every panel has always read them by.
    public var info: RunInfo { runs[focusedRun].info }
    /// When the run ended (DONE/STOPPED), so elapsed time stops.
    public var endTime: Double? { runs[focusedRun].endTime }
    public var runState: RunState { runs[focusedRun].runState }
    /// The learning rate shown and stepped by the keys (see `LearningRate`).
    public internal(set) var rate: LearningRate {
        get { runs[focusedRun].rate }
        set { runs[focusedRun].rate = newValue }
    }
    public var learningRate: Float { rate.current }
    public var lastBatch: BatchMetrics? { runs[focusedRun].lastBatch }
    public var losses: LossHistory { runs[focusedRun].losses }
    public var epochs: [EpochPoint] { runs[focusedRun].epochs }
    /// The latest evaluation in full (confusion, predictions, misclassified).
    public var latest: EpochMetrics? { runs[focusedRun].latest }
    public var learningRateChanges: [LearningRateChange] { runs[focusedRun].learningRateChanges }
    /// Where the run diverged, kept after it resumes so the chart can mark it.
    public var divergences: [Divergence] { runs[focusedRun].divergences }
    /// The latest layer-health figures (only sent while something asks for them).
    public var layerHealth: LayerHealth? { runs[focusedRun].layerHealth }

    // MARK: View state
    public internal(set) var lossScale: LossScale = .linear
    public internal(set) var focus: Focus = .none
    public internal(set) var selection = MatrixCell(truth: 0, predicted: 0)
    public internal(set) var browser: BrowserState?
    public internal(set) var showHelp = false
    /// The Layers panel (`w`) stands in for the digits, for the focused run.
    public internal(set) var showLayers = false
    public internal(set) var wantsQuit = false
    public internal(set) var message: StatusMessage?
    /// Where `s` saves, shown in its message (set by the app when it knows the path).
    public var checkpointPath: String?
    /// `q` asks "save before quitting? y/n" first (the app sets this with `--save`, and clears it
    /// once the finished run is saved: then there is nothing left to lose).
    public var confirmSaveOnQuit = false
    /// `q` was pressed and the question is showing: `y` saves and quits, `n` quits, Esc cancels.
    public internal(set) var confirmingQuit = false
    /// The question `q` asks with `confirmSaveOnQuit`.
    public static let saveBeforeQuitPrompt = "save before quitting? y/n (Esc: keep running)"
    /// Why the last save failed, until one works: `s` then asks for a path.
    public internal(set) var saveFailure: String?
    /// The path being typed after `s` (only after a failed save).
    public internal(set) var pathEditor: PathEditor?

    /// The inside-the-network views (`f`, `/`, `d`, `u`): see Inspection/.
    public internal(set) var inspection = Inspection()

    /// The focused run's pause request (see `RunTrack.requestedPause`).
    var requestedPause: Bool? {
        get { runs[focusedRun].requestedPause }
        set { runs[focusedRun].requestedPause = newValue }
    }

    public init(info: RunInfo, testImages: LabeledImages, options: DisplayOptions, startTime: Double) {
        self.init(runs: [(info, "base")], testImages: testImages, options: options, startTime: startTime)
    }

    /// A dashboard over several runs trained together, the base run first (at least one).
    public init(runs: [(info: RunInfo, label: String)], testImages: LabeledImages, options: DisplayOptions,
                startTime: Double) {
        precondition(!runs.isEmpty, "a dashboard shows at least one run")  // callers pass the runs they started
        self.runs = runs.map { RunTrack(info: $0.info, label: $0.label) }
        self.testImages = testImages
        self.options = options
        self.startTime = startTime
    }

    /// Adds a finished run to draw beside the live ones (`--compare-with`).
    public mutating func addGhost(_ ghost: RunTrack) {
        ghosts.append(ghost)
    }

    /// The test images arrived later (`watch` loads them from the dataset its file names).
    public mutating func replaceTestImages(_ images: LabeledImages) {
        testImages = images
    }

    // MARK: Derived

    public var classCount: Int { max(1, info.layerSizes.last ?? info.classNames.count) }
    public var totalEpochs: Int { info.config.epochs }
    public var batchesPerEpoch: Int { max(info.batchesPerEpoch, lastBatch?.batchesPerEpoch ?? 0) }

    /// Shows `text` in the keys line for a few seconds (the app reports e.g. "saved to run.ckpt").
    public mutating func note(_ text: String, now: Double, isError: Bool = false, sticky: Bool = false) {
        message = StatusMessage(text: text, time: now, isError: isError, sticky: sticky)
    }

    /// Seeds the charts with a resumed run's history (from its checkpoint), so they continue
    /// where it left off. `batchLosses[i]` is step i + 1's loss; epoch `e` ended at step
    /// `e * batchesPerEpoch`.
    public mutating func restoreHistory(from snapshot: TrainingSnapshot) {
        let perEpoch = max(1, info.batchesPerEpoch)
        let epochs = snapshot.history.epochs.map { EpochPoint(summary: $0, endStep: $0.epoch * perEpoch) }
        restoreHistory(batchLosses: snapshot.history.batchLosses, epochs: epochs,
                       learningRateChanges: snapshot.history.learningRateChanges)
        rate.reset(snapshot.position.learningRate)
    }

    mutating func restoreHistory(batchLosses: [Float], epochs: [EpochPoint],
                                        learningRateChanges: [LearningRateChange]) {
        runs[0].restoreHistory(batchLosses: batchLosses, epochs: epochs, learningRateChanges: learningRateChanges)
    }

    // MARK: Events

    /// An event of the base run (run 0), the only run of a single-run dashboard.
    public mutating func apply(_ event: TrainingEvent, now: Double) {
        apply(event, run: 0, now: now)
    }

    /// An event of run `run` (0-based, the base run first). Events of a run not there are ignored.
    public mutating func apply(_ event: TrainingEvent, run: Int, now: Double) {
        guard runs.indices.contains(run) else { return }
        runs[run].apply(event, now: now)
        if case .epoch = event, run == focusedRun, let open = browser {
            browser = makeBrowser(filter: open.filter, position: open.position)
        }
    }

    // MARK: Browser

    /// A browser over the latest evaluation's misclassified digits, optionally one confusion cell.
    func makeBrowser(filter: MatrixCell?, position: Int = 0) -> BrowserState {
        let all = latest?.misclassified ?? []
        let items: [Int]
        if let filter {
            items = all.indices.filter { all[$0].label == filter.truth && all[$0].predicted == filter.predicted }
        } else {
            items = Array(all.indices)
        }
        return BrowserState(filter: filter, items: items,
                            position: items.isEmpty ? 0 : min(max(position, 0), items.count - 1))
    }

    /// The misclassified digit the browser shows, if any.
    public var browsedDigit: Misclassified? {
        guard let browser, let latest, browser.items.indices.contains(browser.position) else { return nil }
        let index = browser.items[browser.position]
        return latest.misclassified.indices.contains(index) ? latest.misclassified[index] : nil
    }
}
