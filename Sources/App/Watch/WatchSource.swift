import Dashboard
import Engine
import MNISTData
import Synchronization

/// The dashboard's source of events when it watches a metrics file (`mnist-tui watch FILE`): new
/// lines become the same `TrainingEvent`s a live run sends, so every panel draws as in training.
///
/// `update` (once a frame) polls the file, loads the run's test images when a run line names
/// them, keeps the status the keys line shows, and queues the events; `drain` hands them to the
/// loop at the next frame (so a start-over, which resets the state, always comes before the new
/// file's events). Nothing here can fail the program: bad lines are counted and named.
final class WatchSource: SingleRunEventSource {
    let path: String
    private let inner: Mutex<Inner>
    /// No new line for this long (and no end yet): the status says waiting.
    static let quietSeconds = 5.0
    /// How many skipped line numbers the status lists.
    static let listedSkips = 4

    /// Loads a dataset (tests pass their own).
    typealias Loader = @Sendable (DatasetSource) throws -> Dataset

    private struct Inner {
        var follower: MetricsFollower
        var queue: [TrainingEvent] = []
        var info: RunInfo?
        var labels: [UInt8]?
        var loadedFingerprint: String?
        var exists = false
        var ended: String?
        var lastLine = -Double.infinity
        var skipped: [Int] = []
        var skippedCount = 0
        var problem: String?
        var readFailure: String?
        var lastStatus: WatchStatus?
    }

    private let load: Loader

    init(path: String, load: @escaping Loader = { try Dataset.load($0) }) {
        self.path = path
        self.load = load
        inner = Mutex(Inner(follower: MetricsFollower(path: path)))
    }

    /// The state a watch starts from: nothing known yet but the file's name.
    static func initialState(path: String, options: DisplayOptions, now: Double) -> AppState {
        let info = RunInfo(layerSizes: [784, 10], config: TrainingConfig(), datasetName: "(no run yet)",
                           classNames: (0..<10).map(String.init), trainCount: 0, testCount: 0, batchesPerEpoch: 0)
        var state = AppState(info: info, testImages: LabeledImages(count: 0, rows: 28, cols: 28, pixels: [], labels: []),
                             options: options, startTime: now)
        state.readOnly = "read-only: watching \(path)"
        return state
    }

    func drain() -> (events: [TrainingEvent], finished: Bool) {
        inner.withLock { inner in
            defer { inner.queue = [] }
            return (inner.queue, false)
        }
    }

    func update(_ state: inout AppState, now: Double) -> Bool {
        inner.withLock { inner in
            let poll = inner.follower.poll()
            var changed = false
            if let reason = poll.restarted {
                let options = state.options
                // The images stay loaded (the same run is likely to be written again): the rest is forgotten.
                inner = Inner(follower: inner.follower, labels: inner.labels, loadedFingerprint: inner.loadedFingerprint)
                let images = state.testImages
                state = Self.initialState(path: path, options: options, now: now)
                if inner.loadedFingerprint != nil { state.replaceTestImages(images) }
                state.note(reason, now: now, isError: true)
                changed = true
            }
            inner.exists = poll.exists
            inner.readFailure = poll.failure
            for (number, text) in poll.lines {
                inner.lastLine = now
                changed = true
                do throws(MetricsRecord.Malformed) {
                    let record = try MetricsRecord.parse(text, batchesPerEpoch: inner.info?.batchesPerEpoch ?? 0)
                    take(record, into: &inner, state: &state, now: now)
                } catch {
                    inner.skippedCount += 1
                    if inner.skipped.count < Self.listedSkips { inner.skipped.append(number) } else { inner.skipped[Self.listedSkips - 1] = number }
                    state.note("line \(number) of \(path) skipped: \(error)", now: now, isError: true)
                }
            }
            let status = Self.status(inner, path: path, now: now)
            if status != inner.lastStatus {
                inner.lastStatus = status
                state.watch = status
                changed = true
            }
            return changed
        }
    }

    /// One parsed line: events queued, the images loaded for a run line.
    private func take(_ record: MetricsRecord, into inner: inout Inner, state: inout AppState, now: Double) {
        switch record {
        case .run(let info, let fingerprint, let directory, _):
            inner.info = info
            inner.ended = nil
            if inner.loadedFingerprint != fingerprint { loadImages(info: info, fingerprint: fingerprint, directory: directory,
                                                                   inner: &inner, state: &state, now: now) }
            inner.queue += [.started(info), .stateChanged(.running)]
        case .batch(let batch):
            inner.queue.append(.batch(batch))
        case .epoch(let line):
            let epochs = inner.info?.config.epochs ?? line.summary.epoch
            inner.queue.append(.epoch(line.event(epochs: epochs, labels: inner.labels ?? [])))
            if line.summary.epoch >= epochs {
                inner.ended = "completed"
                inner.queue.append(.stateChanged(.done))
            }
        case .end(let reason):
            inner.ended = reason
            inner.queue.append(.stateChanged(reason == "completed" ? .done : .stopped))
        case .other:
            break
        }
    }

    private func loadImages(info: RunInfo, fingerprint: String, directory: String?, inner: inout Inner,
                            state: inout AppState, now: Double) {
        let source: DatasetSource = directory.map { .directory($0) }
            ?? (info.datasetName == DatasetSource.fashion.displayName ? .fashion : .bundledMNIST)
        inner.labels = nil
        inner.loadedFingerprint = nil
        inner.problem = nil
        state.replaceTestImages(LabeledImages(count: 0, rows: 28, cols: 28, pixels: [], labels: []))
        do {
            let dataset = try load(source)
            guard dataset.fingerprintHex == fingerprint else {
                inner.problem = "\(dataset.name) here has fingerprint \(dataset.fingerprintHex), the run's is \(fingerprint): no digits shown"
                return
            }
            inner.labels = dataset.test.labels
            inner.loadedFingerprint = fingerprint
            state.replaceTestImages(dataset.test)
        } catch {
            inner.problem = "cannot load the run's dataset (\(info.datasetName)): \(error); no digits shown"
        }
    }

    /// The keys line's summary of the file.
    private static func status(_ inner: Inner, path: String, now: Double) -> WatchStatus {
        var parts: [String] = []
        let waiting: Bool
        if let failure = inner.readFailure {
            parts.append(failure)
            waiting = true
        } else if !inner.exists {
            parts.append("waiting for the file to appear")
            waiting = true
        } else if inner.info == nil {
            parts.append("waiting for a run line")
            waiting = true
        } else if let ended = inner.ended {
            parts.append(ended == "completed" ? "DONE" : "ended (\(ended))")
            waiting = false
        } else if now - inner.lastLine > quietSeconds {
            parts.append("waiting for new lines")
            waiting = true
        } else {
            parts.append("following")
            waiting = false
        }
        if inner.skippedCount > 0 {
            let numbers = inner.skipped.map(String.init).joined(separator: ", ")
            parts.append("\(inner.skippedCount) line\(inner.skippedCount == 1 ? "" : "s") skipped (line \(numbers)\(inner.skippedCount > listedSkips ? ", ..." : ""))")
        }
        if let problem = inner.problem { parts.append(problem) }
        return WatchStatus(text: parts.joined(separator: " · "), waiting: waiting,
                           isError: inner.skippedCount > 0 || inner.problem != nil || inner.readFailure != nil)
    }
}
