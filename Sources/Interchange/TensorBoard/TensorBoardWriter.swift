// An event file TensorBoard reads: scalars over training steps, written as they happen.
//
// The file is `DIR/events.out.tfevents.<unix time>.<hostname>` (TensorBoard picks up any file with
// "tfevents" in its name; a numeric suffix is added if that name is taken). Its records are
// TFRecord-framed `Event` protobufs (TFRecord.swift, EventProtobuf.swift): first one carrying
// `file_version: "brain.Event:2"`, then one per `addScalar(s)` call. Records collect in memory and
// go out in whole-record writes on `flush()` (call it at the end of each epoch) or every 64 KiB, so
// a reader (TensorBoard polls the file) never needs more than what is there to see whole records.
import MNISTData
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The tags mnist-tui writes (TensorBoard groups charts by the part before the slash).
public enum TensorBoardTag {
    public static let batchLoss = "train/batch_loss"
    public static let trainLoss = "train/loss"
    public static let trainAccuracy = "train/accuracy"
    public static let testLoss = "test/loss"
    public static let testAccuracy = "test/accuracy"
    public static let learningRate = "lr"
}

/// An event file could not be created or written.
public struct TensorBoardError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The folder or event file the problem is about.
    public let path: String
    public let operation: String
    public let reason: String

    public var description: String { "\(path): cannot \(operation): \(reason)" }
}

/// Writes one event file. Thread-safe: the training output records, a signal path may close.
public final class TensorBoardWriter: Sendable {
    /// The event file's full path.
    public let path: String
    private let state: Mutex<State>

    private struct State {
        var descriptor: Int32
        var buffer: [UInt8] = []
        /// The first write error since the last `flush()`, reported by the next `flush()`/`close()`.
        var failure: TensorBoardError?
    }

    private static let flushThreshold = 64 * 1024

    /// Creates `directory` (and its parents) if needed and a new event file in it, starting with
    /// the file-version record (written at once, so TensorBoard sees the run from the start).
    public init(directory: String, wallTime: Double? = nil) throws(TensorBoardError) {
        let time = wallTime ?? Self.now()
        try Self.makeFolders(directory)
        let seconds = time.isFinite && abs(time) < 1e15 ? Int64(time) : 0  // a caller's odd clock must not trap
        let base = Path.join(directory, "events.out.tfevents.\(seconds).\(Self.hostname())")
        var candidate = base
        var fd: Int32 = -1
        for attempt in 1...1000 {
            fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
            candidate = "\(base).\(attempt + 1)"
        }
        guard fd >= 0 else { throw TensorBoardError(path: candidate, operation: "create it", reason: systemErrorText()) }
        path = candidate
        state = Mutex(State(descriptor: fd))
        state.withLock { $0.buffer = TFRecord.frame(EventProtobuf.fileVersionEvent(wallTime: time)) }
        try flush()
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { Self.write(&state, path: path); _ = closeDescriptor(state.descriptor) }
        }
    }

    /// Records `value` under `tag` at `step` (`wallTime`: seconds since 1970, now by default).
    public func addScalar(tag: String, value: Float, step: Int, wallTime: Double? = nil) {
        addScalars([(tag, value)], step: step, wallTime: wallTime)
    }

    /// Records several scalars of one step in one event.
    public func addScalars(_ scalars: [(tag: String, value: Float)], step: Int, wallTime: Double? = nil) {
        let record = TFRecord.frame(EventProtobuf.scalarsEvent(scalars, step: Int64(step), wallTime: wallTime ?? Self.now()))
        state.withLock { state in
            guard state.descriptor >= 0 else { return }
            state.buffer += record
            if state.buffer.count >= Self.flushThreshold { Self.write(&state, path: path) }
        }
    }

    /// Writes the recorded events to the file (whole records). Throws the first write error since
    /// the last flush.
    public func flush() throws(TensorBoardError) {
        let failure: TensorBoardError? = state.withLock { state in
            Self.write(&state, path: path)
            defer { state.failure = nil }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// Flushes, syncs and closes the file. Idempotent; later `addScalar` calls are ignored.
    public func close() throws(TensorBoardError) {
        let failure: TensorBoardError? = state.withLock { state in
            guard state.descriptor >= 0 else { return nil }
            Self.write(&state, path: path)
            if state.failure == nil && fsync(state.descriptor) != 0 {
                state.failure = TensorBoardError(path: path, operation: "fsync it", reason: systemErrorText())
            }
            if closeDescriptor(state.descriptor) != 0 && state.failure == nil {
                state.failure = TensorBoardError(path: path, operation: "close it", reason: systemErrorText())
            }
            state.descriptor = -1
            defer { state.failure = nil }
            return state.failure
        }
        if let failure { throw failure }
    }

    // MARK: Helpers

    private static func write(_ state: inout State, path: String) {
        defer { state.buffer.removeAll(keepingCapacity: true) }
        guard state.descriptor >= 0, !state.buffer.isEmpty, state.failure == nil else { return }
        if let code = PosixIO.writeAll(state.descriptor, state.buffer) {
            state.failure = TensorBoardError(path: path, operation: "write it", reason: systemErrorText(code))
        }
    }

    /// `mkdir -p`.
    private static func makeFolders(_ directory: String) throws(TensorBoardError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
                throw TensorBoardError(path: directory, operation: "create the folder", reason: systemErrorText())
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw TensorBoardError(path: directory, operation: "write events there", reason: "not a folder")
        }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The host's name as TensorBoard's own writers put it in file names ("localhost" if unknown).
    private static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }  // NUL-terminated: count - 1 above
        return name.isEmpty ? "localhost" : name.replacingSlashes()
    }
}

private extension String {
    func replacingSlashes() -> String { String(map { $0 == "/" ? "_" : $0 }) }
}

/// `close(2)` under another name: inside `TensorBoardWriter`, `close` means the method.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
