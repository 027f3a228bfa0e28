import Cells
import Engine
import MNISTData

// The dashboard's state: everything it knows about the run, plus what the user is looking at.
// Pure data; `DashboardView.render` turns it into cells, `apply`/`handle` change it.

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

/// The misclassified-digit browser: which digits it walks through and where it is.
public struct BrowserState: Sendable, Equatable {
    /// nil: every misclassified digit; otherwise only the digits of this confusion cell.
    public var filter: MatrixCell?
    /// Indices into the latest evaluation's `misclassified`.
    public var items: [Int]
    public var position: Int
}

/// A short note shown in the keys line for a few seconds ("checkpoint requested").
public struct StatusMessage: Sendable, Equatable {
    public var text: String
    public var time: Double
    public var isError: Bool
}

/// Everything the dashboard shows, updated by training events and key presses.
public struct AppState: Sendable {
    /// The factor `+` multiplies and `-` divides the learning rate by.
    public static let learningRateFactor: Float = 2
    /// Bounds the keys keep the learning rate within.
    public static let learningRateRange: ClosedRange<Float> = 1e-7...1e4
    /// Seconds a status message stays visible.
    public static let messageSeconds: Double = 6

    // MARK: Run data
    public private(set) var info: RunInfo
    public let testImages: LabeledImages
    public var options: DisplayOptions
    public let startTime: Double
    /// When the run ended (DONE/STOPPED), so elapsed time stops.
    public private(set) var endTime: Double?
    public private(set) var runState: RunState = .running
    /// The learning rate as the user last set it or the engine last reported it.
    public private(set) var learningRate: Float
    public private(set) var lastBatch: BatchMetrics?
    public private(set) var losses = LossHistory()
    public private(set) var epochs: [EpochPoint] = []
    /// The latest evaluation in full (confusion, predictions, misclassified).
    public private(set) var latest: EpochMetrics?
    public private(set) var learningRateChanges: [LearningRateChange] = []
    /// Where the run diverged, kept after it resumes so the chart can mark it.
    public private(set) var divergences: [Divergence] = []

    // MARK: View state
    public private(set) var lossScale: LossScale = .linear
    public private(set) var focus: Focus = .none
    public private(set) var selection = MatrixCell(truth: 0, predicted: 0)
    public private(set) var browser: BrowserState?
    public private(set) var showHelp = false
    public private(set) var wantsQuit = false
    public private(set) var message: StatusMessage?
    /// Where `s` saves, shown in its message (set by the app when it knows the path).
    public var checkpointPath: String?
    /// `q` asks "save before quitting? y/n" first (the app sets this with `--save`, and clears it
    /// once the finished run is saved: then there is nothing left to lose).
    public var confirmSaveOnQuit = false
    /// `q` was pressed and the question is showing: `y` saves and quits, `n` quits, Esc cancels.
    public private(set) var confirmingQuit = false
    /// The question `q` asks with `confirmSaveOnQuit`.
    public static let saveBeforeQuitPrompt = "save before quitting? y/n (Esc: keep running)"

    // MARK: Requests not yet confirmed by the engine
    // Keys act on the trainer at once, but its answer (an event) comes a moment later. A key
    // pressed in between must build on the request, not on the stale state, or fast presses are
    // lost: `-` twice gave one halving, `p` twice paused twice instead of pausing and resuming.

    /// Learning rates sent with `.setLearningRate`, oldest first, not yet announced back.
    private var pendingLearningRates: [Float] = []
    /// At most this many are remembered (the engine may skip some: it applies only the latest).
    private static let pendingLimit = 32
    /// The pause state last asked for (true: paused); nil until a key asks, and again after the
    /// engine changes it by itself (divergence, end of run).
    private var requestedPause: Bool?

    public init(info: RunInfo, testImages: LabeledImages, options: DisplayOptions, startTime: Double) {
        self.info = info
        self.testImages = testImages
        self.options = options
        self.startTime = startTime
        self.learningRate = info.config.learningRate
    }

    // MARK: Derived

    public var classCount: Int { max(1, info.layerSizes.last ?? info.classNames.count) }
    public var totalEpochs: Int { info.config.epochs }
    public var batchesPerEpoch: Int { max(info.batchesPerEpoch, lastBatch?.batchesPerEpoch ?? 0) }

    /// Shows `text` in the keys line for a few seconds (the app reports e.g. "saved to run.ckpt").
    public mutating func note(_ text: String, now: Double, isError: Bool = false) {
        message = StatusMessage(text: text, time: now, isError: isError)
    }

    /// Seeds the charts with a resumed run's history (from its checkpoint), so they continue
    /// where it left off. `batchLosses[i]` is step i + 1's loss; epoch `e` ended at step
    /// `e * batchesPerEpoch`.
    public mutating func restoreHistory(from snapshot: TrainingSnapshot) {
        let perEpoch = max(1, info.batchesPerEpoch)
        let epochs = snapshot.history.epochs.map { EpochPoint(summary: $0, endStep: $0.epoch * perEpoch) }
        restoreHistory(batchLosses: snapshot.history.batchLosses, epochs: epochs,
                       learningRateChanges: snapshot.history.learningRateChanges)
        learningRate = snapshot.position.learningRate
    }

    mutating func restoreHistory(batchLosses: [Float], epochs: [EpochPoint],
                                        learningRateChanges: [LearningRateChange]) {
        for (index, loss) in batchLosses.enumerated() { losses.record(step: index + 1, loss: loss) }
        self.epochs = epochs
        self.learningRateChanges = learningRateChanges
    }

    // MARK: Events

    public mutating func apply(_ event: TrainingEvent, now: Double) {
        switch event {
        case .started(let newInfo):
            info = newInfo
            learningRate = newInfo.config.learningRate
            pendingLearningRates = []
            requestedPause = nil
        case .batch(let batch):
            losses.record(step: batch.step, loss: batch.loss)
            lastBatch = batch
        case .epoch(let metrics):
            applyEpoch(metrics)
        case .stateChanged(let state):
            runState = state
            switch state {
            case .done, .stopped:
                endTime = now
                requestedPause = nil
            case .running, .paused:
                // Only ever the answer to a key (the engine pauses by itself only on divergence):
                // it may be the echo of an older press, so the latest request stands.
                endTime = nil
            case .diverged(let divergence):
                divergences.append(divergence)
                // A rate the user chose after the diverging batch stays the one shown (the engine keeps it).
                if pendingLearningRates.isEmpty { learningRate = divergence.learningRate }
                endTime = nil
                requestedPause = nil  // the engine paused itself: p now resumes
            }
        case .learningRateChanged(let from, let to, let step):
            learningRateChanges.append(LearningRateChange(step: step, from: from, to: to))
            acknowledgeLearningRate(to)
        }
    }

    /// Takes the engine's announced rate, unless it is the echo of an older request that a newer
    /// key press has already replaced.
    private mutating func acknowledgeLearningRate(_ rate: Float) {
        if let index = pendingLearningRates.firstIndex(of: rate), index < pendingLearningRates.count - 1 {
            pendingLearningRates.removeFirst(index + 1)
            return
        }
        pendingLearningRates = []
        learningRate = rate
    }

    private mutating func applyEpoch(_ metrics: EpochMetrics) {
        let endStep = lastBatch?.step ?? metrics.epoch * max(1, batchesPerEpoch)
        // A re-run epoch (after a rollback) replaces its old figures and everything after them.
        epochs.removeAll { $0.summary.epoch >= metrics.epoch }
        epochs.append(EpochPoint(summary: metrics.summary, endStep: endStep))
        latest = metrics
        if let open = browser {
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

// MARK: - Keys

extension AppState {
    /// Reacts to a key; returns what the app should ask of the trainer or the program.
    public mutating func handle(_ key: Key, now: Double) -> [Command] {
        if confirmingQuit {
            return answerQuitQuestion(key, now: now)
        }
        if key == .character("q") || key == .character("Q") {
            if confirmSaveOnQuit {
                confirmingQuit = true
                note(Self.saveBeforeQuitPrompt, now: now)
                return []
            }
            wantsQuit = true
            return [.quit]
        }
        if showHelp {
            // Any key closes the help; it does nothing else.
            showHelp = false
            return []
        }
        if key == .character("?") {
            showHelp = true
            return []
        }
        if browser != nil, handleBrowserKey(key) { return [] }
        if focus == .confusion, handleConfusionKey(key) { return [] }
        return handleGlobalKey(key, now: now)
    }

    /// While "save before quitting?" shows: y saves then quits, n quits, Esc cancels; any other
    /// key repeats the question (a stray key must neither quit nor lose the run).
    private mutating func answerQuitQuestion(_ key: Key, now: Double) -> [Command] {
        switch key {
        case .character("y"), .character("Y"):
            confirmingQuit = false
            wantsQuit = true
            note(checkpointPath.map { "saving checkpoint to \($0)" } ?? "saving checkpoint", now: now)
            return [.saveCheckpoint, .quit]
        case .character("n"), .character("N"):
            confirmingQuit = false
            wantsQuit = true
            return [.quit]
        case .escape:
            confirmingQuit = false
            note("quit cancelled", now: now)
            return []
        default:
            note(Self.saveBeforeQuitPrompt, now: now)
            return []
        }
    }

    private mutating func handleBrowserKey(_ key: Key) -> Bool {
        guard var open = browser else { return false }
        let n = open.items.count
        switch key {
        case .left, .character("h"):
            if n > 0 { open.position = (open.position - 1 + n) % n }
        case .right, .character("l"):
            if n > 0 { open.position = (open.position + 1) % n }
        case .home: open.position = 0
        case .end: open.position = max(0, n - 1)
        case .pageUp: open.position = max(0, open.position - 10)
        case .pageDown: open.position = max(0, min(n - 1, open.position + 10))
        case .escape, .character("m"), .backspace:
            browser = nil
            return true
        default:
            return false
        }
        browser = open
        return true
    }

    private mutating func handleConfusionKey(_ key: Key) -> Bool {
        let last = classCount - 1
        switch key {
        case .up: selection.truth = max(0, selection.truth - 1)
        case .down: selection.truth = min(last, selection.truth + 1)
        case .left: selection.predicted = max(0, selection.predicted - 1)
        case .right: selection.predicted = min(last, selection.predicted + 1)
        case .enter:
            browser = makeBrowser(filter: selection)
        case .escape, .tab:
            focus = .none
        default:
            return false
        }
        return true
    }

    private mutating func handleGlobalKey(_ key: Key, now: Double) -> [Command] {
        switch key {
        case .character("p"), .character(" "):
            let paused: Bool
            switch runState {
            case .running: paused = requestedPause ?? false
            case .paused, .diverged: paused = requestedPause ?? true
            case .done, .stopped:
                note("the run has ended; q quits", now: now)
                return []
            }
            requestedPause = !paused
            return paused ? [.resume] : [.pause]
        case .character("+"), .character("="):
            return changeLearningRate(by: Self.learningRateFactor, now: now)
        case .character("-"), .character("_"):
            return changeLearningRate(by: 1 / Self.learningRateFactor, now: now)
        case .character("m"):
            guard latest != nil else {
                note("no evaluation yet: misclassified digits appear after the first epoch", now: now)
                return []
            }
            browser = makeBrowser(filter: nil)
        case .tab, .character("c"):
            focus = .confusion
        case .character("L"):
            lossScale = lossScale == .linear ? .log : .linear
        case .character("s"):
            note(checkpointPath.map { "saving checkpoint to \($0)" } ?? "saving checkpoint", now: now)
            return [.saveCheckpoint]
        case .escape:
            focus = .none
        default:
            break
        }
        return []
    }

    private mutating func changeLearningRate(by factor: Float, now: Double) -> [Command] {
        switch runState {
        case .done, .stopped:
            note("the run has ended; the learning rate no longer matters", now: now)
            return []
        default:
            break
        }
        let next = min(max(learningRate * factor, Self.learningRateRange.lowerBound),
                       Self.learningRateRange.upperBound)
        guard next.isFinite, next != learningRate else { return [] }
        learningRate = next
        pendingLearningRates.append(next)
        if pendingLearningRates.count > Self.pendingLimit { pendingLearningRates.removeFirst() }
        return [.setLearningRate(next)]
    }
}
