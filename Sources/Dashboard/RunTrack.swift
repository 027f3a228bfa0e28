import Engine

// One run as the dashboard knows it: its events folded into figures. `AppState` holds one per
// run trained (`runs`, the base run first) and one per finished run drawn as a ghost (`ghosts`,
// from `--compare-with` files); the panels of the focused run read it through AppState's
// accessors (`state.info`, `state.latest`, ...), the comparing panels read them all.

/// Everything the dashboard knows about one run.
public struct RunTrack: Sendable {
    /// How the run is named on screen: "base", what `--vs` changed ("--init default"), or a
    /// ghost's file name.
    public var label: String
    /// A finished run read from a metrics file: drawn dimmed, never steered or focused.
    public let isGhost: Bool
    /// Unfinished last lines skipped while reading a ghost's file (shown in the legend).
    public var partialLinesSkipped = 0

    public internal(set) var info: RunInfo
    /// When the run ended (DONE/STOPPED), so elapsed time stops.
    public internal(set) var endTime: Double?
    public internal(set) var runState: RunState = .running
    /// The learning rate shown and stepped by the keys (see `LearningRate`).
    public internal(set) var rate: LearningRate
    public internal(set) var lastBatch: BatchMetrics?
    public internal(set) var losses = LossHistory()
    public internal(set) var epochs: [EpochPoint] = []
    /// The latest evaluation in full (confusion, predictions, misclassified).
    public internal(set) var latest: EpochMetrics?
    public internal(set) var learningRateChanges: [LearningRateChange] = []
    /// Where the run diverged, kept after it resumes so the chart can mark it.
    public internal(set) var divergences: [Divergence] = []
    /// The latest layer-health figures (only sent while something asks for them), and the last
    /// few reports before them (the Layers panel's trends), oldest first, the latest included.
    public internal(set) var layerHealth: LayerHealth?
    public internal(set) var layerHealthHistory: [LayerHealth] = []
    /// How many layer-health reports the trends keep.
    public static let layerHealthHistoryLimit = 24

    /// The pause state last asked for (true: paused); nil until a key asks, and again after the
    /// engine changes it by itself (divergence, end of run). Keys act on the trainer at once but
    /// its answer comes a moment later: `p` twice must pause and resume, not pause twice.
    var requestedPause: Bool?

    public init(info: RunInfo, label: String, isGhost: Bool = false) {
        self.info = info
        self.label = label
        self.isGhost = isGhost
        self.rate = LearningRate(info.config.learningRate)
    }

    public var batchesPerEpoch: Int { max(info.batchesPerEpoch, lastBatch?.batchesPerEpoch ?? 0) }

    /// The run has ended (DONE or STOPPED): pause and the learning rate no longer matter.
    public var hasEnded: Bool {
        switch runState {
        case .done, .stopped: true
        default: false
        }
    }

    /// The run diverged at some point (the legend says so, whichever run is focused).
    public var hasDiverged: Bool {
        if case .diverged = runState { return true }
        return false
    }

    mutating func restoreHistory(batchLosses: [Float], epochs: [EpochPoint], learningRateChanges: [LearningRateChange]) {
        for (index, loss) in batchLosses.enumerated() { losses.record(step: index + 1, loss: loss) }
        self.epochs = epochs
        self.learningRateChanges = learningRateChanges
    }

    // MARK: Events

    /// Folds one of the run's events into its figures.
    public mutating func apply(_ event: TrainingEvent, now: Double) {
        switch event {
        case .started(let newInfo):
            info = newInfo
            rate.reset(newInfo.config.learningRate)
            requestedPause = nil
        case .batch(let batch):
            losses.record(step: batch.step, loss: batch.loss)
            lastBatch = batch
        case .epoch(let metrics):
            let endStep = lastBatch?.step ?? metrics.epoch * max(1, batchesPerEpoch)
            // A re-run epoch (after a rollback) replaces its old figures and everything after them.
            epochs.removeAll { $0.summary.epoch >= metrics.epoch }
            epochs.append(EpochPoint(summary: metrics.summary, endStep: endStep))
            latest = metrics
        case .stateChanged(let state):
            applyState(state, now: now)
        case .learningRateChanged(let from, let to, let step):
            learningRateChanges.append(LearningRateChange(step: step, from: from, to: to))
            rate.announced(to)
        case .layerHealth(let health):
            layerHealth = health
            layerHealthHistory.append(health)
            if layerHealthHistory.count > Self.layerHealthHistoryLimit { layerHealthHistory.removeFirst() }
        }
    }

    private mutating func applyState(_ state: RunState, now: Double) {
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
            if rate.requested.isEmpty { rate.reset(divergence.learningRate) }
            // The weights went back to the start of that epoch: so does the position shown.
            if var position = lastBatch {
                position.epoch = divergence.rolledBackToEpoch
                position.batch = 0
                position.step = (divergence.rolledBackToEpoch - 1) * max(1, position.batchesPerEpoch)
                lastBatch = position
            }
            endTime = nil
            requestedPause = nil  // the engine paused itself: p now resumes
        }
    }
}
