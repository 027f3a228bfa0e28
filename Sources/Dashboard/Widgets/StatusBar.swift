import Cells
import Engine

// The two status lines: state, epoch, batch with a progress bar, throughput; then elapsed, ETA,
// lr, model, init and dataset (or, when diverged, where and what to do).

/// What the status lines draw: their slice of the state.
struct StatusModel {
    var runState: RunState
    var info: RunInfo
    var lastBatch: BatchMetrics?
    /// The last epoch evaluated, if any.
    var lastEpoch: Int?
    var batchesPerEpoch: Int
    var learningRate: Float
    var startTime: Double
    var endTime: Double?
    /// Watching a file that says nothing new (or does not exist yet): WAITING.
    var waiting = false
    /// Runs compared: which one these figures are ("2/4"); nil for a run alone.
    var focusedRun: String?

    var totalEpochs: Int { info.config.epochs }
}

extension AppState {
    var statusBar: StatusModel {
        StatusModel(runState: runState, info: info, lastBatch: lastBatch, lastEpoch: epochs.last?.summary.epoch,
                    batchesPerEpoch: batchesPerEpoch, learningRate: learningRate, startTime: startTime, endTime: endTime,
                    waiting: watch?.waiting == true && runState != .done && runState != .stopped,
                    focusedRun: runs.count > 1 ? "\(focusedRun + 1)/\(runs.count)" : nil)
    }
}

enum StatusBar {
    static func stateWord(_ state: RunState) -> (String, Role) {
        switch state {
        case .running: return ("RUNNING", .stateRunning)
        case .paused: return ("PAUSED", .statePaused)
        case .done: return ("DONE", .stateDone)
        case .diverged: return ("DIVERGED", .stateDiverged)
        case .stopped: return ("STOPPED", .stateStopped)
        }
    }

    static func draw(_ state: StatusModel, in rect: Rect, grid: inout CellGrid, theme: Theme, now: Double) {
        guard !rect.isEmpty else { return }
        let (word, role) = state.waiting ? ("WAITING", Role.statePaused) : stateWord(state.runState)
        var x = grid.put(" " + word + " ", x: rect.x, y: rect.y, style: theme.style(role), limit: rect.width)
        /// Draws "  label value" only when it fits whole: a cut value ("lr now 2" for 250) misleads.
        func segment(_ label: String, _ value: String, y: Int, role: Role = .value) {
            guard x + 2 + label.unicodeScalars.count + value.unicodeScalars.count <= rect.maxX else { return }
            x = grid.put("  " + label, x: x, y: y, style: theme.style(.label), limit: rect.maxX - x)
            x = grid.put(value, x: x, y: y, style: theme.style(role), limit: max(0, rect.maxX - x))
        }
        if let run = state.focusedRun { segment("run ", run, y: rect.y, role: .bold) }
        let bpe = state.batchesPerEpoch
        let batch = state.lastBatch
        let epoch = batch?.epoch ?? max(state.info.firstEpoch, state.lastEpoch ?? 0)
        segment("epoch ", "\(epoch)/\(state.totalEpochs)", y: rect.y)
        segment("batch ", "\(batch?.batch ?? 0)/\(bpe)", y: rect.y)
        let rate = batch.map { Format.rate($0.samplesPerSecond) + " samples/s" } ?? "-- samples/s"
        // The progress bar takes what is left after the throughput.
        let rateWidth = rate.unicodeScalars.count + 2
        let barWidth = min(40, rect.maxX - x - 1 - 5 - rateWidth)
        if barWidth >= 5 {
            let done = overallProgress(state)
            let filled = Int((done * Double(barWidth)).rounded(.down))
            x = grid.put(" ", x: x, y: rect.y)
            x = grid.put(String(repeating: String(theme.glyphs.barFull), count: filled), x: x, y: rect.y,
                         style: theme.style(.progressDone))
            x = grid.put(String(repeating: String(theme.glyphs.barEmpty), count: barWidth - filled), x: x,
                         y: rect.y, style: theme.style(.progressLeft))
            x = grid.put(Format.padLeft(Format.percent(done, decimals: 0), 5), x: x, y: rect.y, style: theme.style(.value))
        }
        segment("", rate, y: rect.y)

        guard rect.height >= 2 else { return }
        let y2 = rect.y + 1
        x = rect.x
        if case .diverged(let d) = state.runState {
            x = grid.put("diverged at epoch \(d.epoch) batch \(d.batch) (loss \(Format.loss(Double(d.loss))), lr "
                         + Format.learningRate(d.learningRate) + "), rolled back to epoch \(d.rolledBackToEpoch)",
                         x: x, y: y2, style: theme.style(.warning), limit: rect.width)
            if state.learningRate != d.learningRate {
                segment("lr now ", Format.learningRate(state.learningRate), y: y2, role: .lrMark)
            }
            let hint = "  - lowers lr, p resumes"
            if x + hint.count <= rect.maxX { x = grid.put(hint, x: x, y: y2, style: theme.style(.key)) }
            return
        }
        let end = state.endTime ?? now
        let elapsed = max(0, end - state.startTime)
        x = grid.put("elapsed ", x: x, y: y2, style: theme.style(.label), limit: rect.width)
        x = grid.put(Format.duration(elapsed), x: x, y: y2, style: theme.style(.value), limit: max(0, rect.maxX - x))
        segment("ETA ", eta(state), y: y2)
        segment("lr ", Format.learningRate(state.learningRate), y: y2, role: .lrMark)
        let model = state.info.layerSizes.map(String.init).joined(separator: "-")
        let rest: [(String, String)] = [("model ", model), ("init ", state.info.config.initScheme.rawValue),
                                        ("", state.info.datasetName)]
        for (label, value) in rest {
            let need = 2 + label.count + value.unicodeScalars.count
            guard x + need <= rect.maxX else { break }
            segment(label, value, y: y2)
        }
    }

    /// Fraction of the whole run trained (0...1).
    static func overallProgress(_ state: StatusModel) -> Double {
        if state.runState == .done { return 1 }
        guard let batch = state.lastBatch, state.totalEpochs > 0, batch.batchesPerEpoch > 0 else { return 0 }
        let first = state.info.firstEpoch
        let epochsInRun = max(1, state.totalEpochs - first + 1)
        let done = Double(batch.epoch - first) + Double(batch.batch) / Double(batch.batchesPerEpoch)
        return max(0, min(1, done / Double(epochsInRun)))
    }

    /// Remaining training time from the current throughput (evaluation not included).
    static func eta(_ state: StatusModel) -> String {
        switch state.runState {
        case .done, .stopped: return "0:00"
        default: break
        }
        guard let batch = state.lastBatch, batch.samplesPerSecond > 0 else { return "--:--" }
        let remainingBatches = (state.totalEpochs - batch.epoch) * batch.batchesPerEpoch
            + (batch.batchesPerEpoch - batch.batch)
        let samples = Double(max(0, remainingBatches)) * Double(state.info.config.batchSize)
        return Format.duration(samples / batch.samplesPerSecond)
    }
}
