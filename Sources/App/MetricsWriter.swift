import Engine
#if canImport(Glibc)
import Glibc
#endif
import MNISTData
import Synchronization

/// Writes `--metrics FILE` as JSON Lines (see `MetricsFormat`): the first of the run's outputs.
///
/// FILE is created (or, for `--resume`, appended to) at once and grows while the run trains, so
/// `tail -f`, a plotting script or `mnist-tui watch` can read it live. Lines collect in memory and
/// go out whole, in one `write` per flush: at every epoch line, at least once a second of batches
/// (checked on each record), at 64 KiB, and at the end. A reader therefore never sees a torn line,
/// except possibly the last one while it is being written. A device or FIFO (`--metrics
/// /dev/stdout | jq`) is written the same way. A write that fails is reported at once and ends the
/// metrics (what was written stays); training goes on.
final class MetricsWriter: RunOutput {
    let path: String
    private let state: Mutex<State>
    /// Seconds on a monotonic clock (tests pass their own).
    private let now: @Sendable () -> Double

    private struct State {
        var file: OutputFile?
        var buffer: [UInt8] = []
        var failure: String?
        var lastFlush: Double
        /// Runs that have not finished (a `--vs` comparison writes several into one file).
        var openRuns = 1
        /// Each run's latest layer health (by run number; 0 untagged), for its next epoch line.
        var layerHealth: [Int: LayerHealth] = [:]
    }

    private static let flushThreshold = 64 * 1024
    /// Batch lines reach the file at least this often (seconds).
    static let flushInterval = 1.0

    /// Opens FILE for appending (emptied first with `truncate`: `--overwrite`) and writes `runLine`
    /// at once. Throws one line naming the option.
    convenience init(path: String, runLine: String, truncate: Bool,
                     now: (@Sendable () -> Double)? = nil) throws(OutputError) {
        try self.init(path: path, runLines: [runLine], truncate: truncate, now: now)
    }

    /// One file for the runs of a `--vs` comparison: their run lines at once (tagged by the
    /// caller); each run then records through its own `TaggedMetrics`, and the file is closed
    /// when the last of them finishes.
    init(path: String, runLines: [String], truncate: Bool,
         now: (@Sendable () -> Double)? = nil) throws(OutputError) {
        self.path = path
        let clock = MonotonicClock()
        let now = now ?? { clock.now() }
        self.now = now
        do {
            let created = !OutputFile.isExistingRegularFile(path)
            let file = try OutputFile(appendingTo: path, truncate: truncate)
            var state = State(file: file, lastFlush: now())
            state.openRuns = runLines.count
            state.buffer = Array(runLines.map { $0 + "\n" }.joined().utf8)
            if let failure = Self.flush(&state) {
                // Not even the run line fits (a full disk): leave no empty file behind.
                if created { unlink(file.target) }
                throw OutputError(description: "--metrics \(path): \(failure)")
            }
            self.state = Mutex(state)
        } catch let error as OutputError {
            throw error
        } catch {
            throw OutputError(description: "--metrics \(path): \(error)")
        }
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        record(event, tag: nil)
    }

    /// Records one run's event (`tag`: which run of a comparison; nil for a single run).
    func record(_ event: TrainingEvent, tag: MetricsTag?) -> [OutputReport] {
        guard var line = MetricsFormat.line(for: event) else { return [] }
        let time = now()
        let failure: String? = state.withLock { state in
            guard state.file != nil else { return nil }
            switch event {
            case .layerHealth(let health): state.layerHealth[tag?.run ?? 0] = health
            case .epoch: line = MetricsFormat.epochLine(line, health: state.layerHealth[tag?.run ?? 0])
            default: break
            }
            line = MetricsFormat.tagged(line, tag)
            state.buffer.append(contentsOf: line.utf8)
            state.buffer.append(0x0A)
            let due: Bool
            if case .epoch = event { due = true } else {
                due = state.buffer.count >= Self.flushThreshold || time - state.lastFlush >= Self.flushInterval
            }
            guard due else { return nil }
            state.lastFlush = time
            return Self.flush(&state)
        }
        return failure.map { [OutputReport(text: "--metrics \(path): \($0); no more metrics are written", isError: true)] } ?? []
    }

    /// Writes what is buffered and the end line, and closes the file. Reports a failure (then or earlier).
    func finish(_ ending: RunEnding) -> [OutputReport] {
        finish(ending, tag: nil)
    }

    /// One run has ended: its end line; the file is finished and closed after the last run's.
    func finish(_ ending: RunEnding, tag: MetricsTag?) -> [OutputReport] {
        let failure: String? = state.withLock { state in
            state.openRuns -= 1
            // A failure is reported once, when the last run finishes.
            guard let file = state.file else { return state.openRuns <= 0 ? state.failure : nil }
            state.buffer.append(contentsOf: (MetricsFormat.tagged(MetricsFormat.endLine(ending), tag) + "\n").utf8)
            guard state.openRuns <= 0 else { return nil }
            if Self.flush(&state) == nil {
                do throws(OutputFileError) { try file.commit() } catch {
                    file.discard()
                    state.failure = error.description
                }
            }
            state.file = nil
            return state.failure
        }
        return failure.map { [OutputReport(text: "--metrics \(path): not all written: \($0)", isError: true)] } ?? []
    }

    /// Writes the buffered lines in one write; on a failure, gives the file up at once and returns why.
    private static func flush(_ state: inout State) -> String? {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard let file = state.file, !state.buffer.isEmpty else { return nil }
        let failure: OutputFileError? = state.buffer.withUnsafeBytes { bytes in
            do throws(OutputFileError) { try file.write(bytes) } catch { return error }
            return nil
        }
        guard let failure else { return nil }
        file.discard()
        state.file = nil
        state.failure = failure.description
        return failure.description
    }
}

/// One run's view of a shared `--metrics` file in a `--vs` comparison: its lines carry its tag.
final class TaggedMetrics: RunOutput {
    let writer: MetricsWriter
    let tag: MetricsTag

    init(writer: MetricsWriter, tag: MetricsTag) {
        self.writer = writer
        self.tag = tag
    }

    func record(_ event: TrainingEvent) -> [OutputReport] { writer.record(event, tag: tag) }
    func finish(_ ending: RunEnding) -> [OutputReport] { writer.finish(ending, tag: tag) }
}
