import Engine
import MNISTData
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// A metrics file could not be written.
struct MetricsError: Error, CustomStringConvertible {
    let description: String
}

/// Writes `--metrics FILE` as JSON Lines.
///
/// Lines collect in memory and go out in one `write` per epoch (or per 64 KiB), not one system
/// call per batch. The file is built as a hidden temporary beside FILE and renamed onto it by
/// `close()`, so FILE only ever appears complete; if the process dies first, the temporary holds
/// every flushed line whole. Thread-safe: the dashboard's event task records, the main thread
/// may close on a signal.
final class MetricsWriter: Sendable {
    let path: String
    private let temporaryPath: String
    private let state: Mutex<State>

    private struct State {
        var descriptor: Int32
        var buffer: [UInt8] = []
        var failure: String?
    }

    private static let flushThreshold = 64 * 1024

    /// Creates the temporary file beside `path`. Throws a one-line error naming the option.
    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(directory.isEmpty ? "/" : directory)/.\(name).\(getpid()).partial"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw MetricsError(description: "--metrics \(path): cannot create a file there (\(systemErrorText()))")
        }
        state = Mutex(State(descriptor: descriptor))
    }

    /// Appends the line for `event` (if it has one); flushes at the end of each epoch.
    func record(_ event: TrainingEvent) {
        guard let line = MetricsFormat.line(for: event) else { return }
        state.withLock { state in
            state.buffer.append(contentsOf: line.utf8)
            state.buffer.append(0x0A)
            if case .epoch = event { Self.flush(&state) } else if state.buffer.count >= Self.flushThreshold { Self.flush(&state) }
        }
    }

    /// Writes what is buffered and moves the file into place. Idempotent.
    /// Throws if any write failed (disk full, ...), naming the file.
    func close() throws {
        let failure: String? = state.withLock { state in
            guard state.descriptor >= 0 else { return state.failure }
            Self.flush(&state)
            _ = fsync(state.descriptor)
            _ = closeDescriptor(state.descriptor)
            state.descriptor = -1
            if state.failure == nil && rename(temporaryPath, path) != 0 {
                state.failure = "cannot move it into place (\(systemErrorText()))"
            }
            return state.failure
        }
        if let failure { throw MetricsError(description: "--metrics \(path): \(failure)") }
    }

    /// One `write` of whole lines (retried on a short write).
    private static func flush(_ state: inout State) {
        guard state.descriptor >= 0, !state.buffer.isEmpty, state.failure == nil else {
            state.buffer.removeAll(keepingCapacity: true)
            return
        }
        state.buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                // baseAddress is non-nil: the buffer was checked non-empty above.
                let written = write(state.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    state.failure = "write failed (\(systemErrorText()))"
                    return
                }
                offset += written
            }
        }
        state.buffer.removeAll(keepingCapacity: true)
    }

}

/// `close(2)` under another name: inside `MetricsWriter`, `close` means the method.
@inline(__always)
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
