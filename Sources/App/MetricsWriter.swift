import Engine
import MNISTData
import Synchronization

// MARK: - Line format

/// The `--metrics` JSON Lines format: one object per line, `"type"` first.
///
///     {"type":"batch","epoch":1,"batch":3,"step":3,"loss":2.1037,"lr":0.2,"samples_per_second":51234.5}
///     {"type":"epoch","epoch":1,"train_loss":0.41,"train_accuracy":0.88,"test_loss":0.21,
///      "test_accuracy":0.94,"train_seconds":1.21,"lr":0.2}
///
/// Accuracies are fractions in [0, 1]; non-finite numbers (a diverged loss) are `null`.
enum MetricsFormat {
    /// The line for `event`, or nil for events the file does not record.
    static func line(for event: TrainingEvent) -> String? {
        switch event {
        case .batch(let b):
            return "{\"type\":\"batch\",\"epoch\":\(b.epoch),\"batch\":\(b.batch),\"step\":\(b.step),"
                + "\"loss\":\(NumberFormatting.json(b.loss)),\"lr\":\(NumberFormatting.json(b.learningRate)),"
                + "\"samples_per_second\":\(NumberFormatting.json(b.samplesPerSecond))}"
        case .epoch(let e):
            return "{\"type\":\"epoch\",\"epoch\":\(e.epoch),"
                + "\"train_loss\":\(NumberFormatting.json(e.trainLoss)),"
                + "\"train_accuracy\":\(NumberFormatting.json(e.trainAccuracy)),"
                + "\"test_loss\":\(NumberFormatting.json(e.testLoss)),"
                + "\"test_accuracy\":\(NumberFormatting.json(e.testAccuracy)),"
                + "\"train_seconds\":\(NumberFormatting.json(e.trainSeconds)),"
                + "\"lr\":\(NumberFormatting.json(e.learningRate))}"
        case .started, .stateChanged, .learningRateChanged:
            return nil
        }
    }
}

// MARK: - Writer

/// Writes `--metrics FILE` as JSON Lines: the first of the run's outputs.
///
/// Lines collect in memory and go out in one `write` per epoch (or per 64 KiB), not one system
/// call per batch. A regular file is built as a hidden temporary beside FILE and renamed onto it by
/// `finish`, so FILE only ever appears complete; a device or FIFO (`--metrics /dev/stdout | jq`)
/// is written straight (see `OutputFile`). A write that fails is reported at once, and the partial
/// temporary file is removed then (not left on a full disk); training goes on.
final class MetricsWriter: RunOutput {
    let path: String
    private let state: Mutex<State>

    private struct State {
        var file: OutputFile?
        var buffer: [UInt8] = []
        var failure: String?
    }

    private static let flushThreshold = 64 * 1024

    /// Opens the output and checks there is room for the first flush: a full disk or an
    /// unwritable place is found now, not when the run ends. Throws one line naming the option.
    init(path: String) throws(OutputError) {
        self.path = path
        do {
            let file = try OutputFile(path: path, allowStreams: true)
            do {
                try file.checkSpace(Self.flushThreshold)
            } catch {
                file.discard()
                throw error
            }
            state = Mutex(State(file: file))
        } catch {
            throw OutputError(description: "--metrics \(path): \(error)")
        }
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        guard let line = MetricsFormat.line(for: event) else { return [] }
        let failure: String? = state.withLock { state in
            guard state.file != nil else { return nil }
            state.buffer.append(contentsOf: line.utf8)
            state.buffer.append(0x0A)
            let due: Bool
            if case .epoch = event { due = true } else { due = state.buffer.count >= Self.flushThreshold }
            return due ? Self.flush(&state) : nil
        }
        return failure.map { [OutputReport(text: "--metrics \(path): \($0); no more metrics are written (the partial file was removed)", isError: true)] } ?? []
    }

    /// Writes what is buffered and moves the file into place. Reports a failure (then or earlier).
    func finish(_ ending: RunEnding) -> [OutputReport] {
        let failure: String? = state.withLock { state in
            guard let file = state.file else { return state.failure }
            if Self.flush(&state) == nil {
                do throws(OutputFileError) { try file.commit() } catch {
                    file.discard()
                    state.failure = error.description
                }
            }
            state.file = nil
            return state.failure
        }
        return failure.map { [OutputReport(text: "--metrics \(path): not written: \($0)", isError: true)] } ?? []
    }

    /// Writes the buffered lines; on a failure, gives the file up at once and returns why.
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
