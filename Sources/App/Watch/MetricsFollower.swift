import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows a growing file like `tail -f`, in whole lines: what `watch` reads a metrics file with.
///
/// Each `poll()` reads what was appended since the last one. A line counts only once its newline
/// is there (a writer's unfinished last line waits). The file may not exist yet (poll again), may
/// be replaced by another file (a new inode: start over from its first line) or cut shorter than
/// what was read (truncated: start over); each start over is reported once. Never throws: a file
/// that cannot be read is reported as such and polled again.
struct MetricsFollower {
    let path: String
    private var descriptor: Int32 = -1
    private var identity: (device: UInt64, inode: UInt64) = (0, 0)
    private var offset: Int64 = 0
    private var partial: [UInt8] = []
    private var lineNumber = 0

    /// A longer line is taken as garbage at this length (a file with no newlines must not fill memory).
    static let maxLineBytes = 16 << 20
    /// Read at most this much per poll, so one poll never holds up a frame for long.
    static let maxBytesPerPoll = 8 << 20

    /// What one poll found.
    struct Poll: Equatable {
        /// False while there is no file at the path.
        var exists = true
        /// Complete new lines with their 1-based line numbers.
        var lines: [(number: Int, text: String)] = []
        /// Why the file is read from its start again (replaced, truncated), if it is.
        var restarted: String?
        /// Why the file could not be read (permissions...), if it could not.
        var failure: String?

        static func == (a: Poll, b: Poll) -> Bool {
            a.exists == b.exists && a.restarted == b.restarted && a.failure == b.failure
                && a.lines.map(\.number) == b.lines.map(\.number) && a.lines.map(\.text) == b.lines.map(\.text)
        }
    }

    init(path: String) { self.path = path }

    /// Bytes of an unfinished last line read so far (a writer is in the middle of it, or the file
    /// was cut there).
    var unfinishedLineBytes: Int { partial.count }

    /// Closes the file (the follower can poll again: it reopens).
    mutating func close() {
        if descriptor >= 0 { closeDescriptor(descriptor) }
        descriptor = -1
    }

    private mutating func startOver() {
        close()
        offset = 0
        partial = []
        lineNumber = 0
    }

    mutating func poll() -> Poll {
        var result = Poll()
        var info = stat()
        guard stat(path, &info) == 0 else {
            if descriptor >= 0 { result.restarted = "\(path) was removed; waiting for it to appear again" }
            startOver()
            result.exists = false
            return result
        }
        let now = (device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        if descriptor >= 0 && (now.device != identity.device || now.inode != identity.inode) {
            startOver()
            result.restarted = "\(path) was replaced by another file: reading it from the start"
        } else if descriptor >= 0 && Int64(info.st_size) < offset && info.st_mode & S_IFMT == S_IFREG {
            startOver()
            result.restarted = "\(path) was truncated: reading it from the start"
        }
        if descriptor < 0 {
            descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else {
                result.failure = "cannot read \(path): \(systemErrorText())"
                return result
            }
            identity = now
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0
        while total < Self.maxBytesPerPoll {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count < 0 && errno != EAGAIN { result.failure = "cannot read \(path): \(systemErrorText())" }
                break
            }
            offset += Int64(count)
            total += count
            split(buffer[..<count], into: &result.lines)
        }
        return result
    }

    private mutating func split(_ bytes: ArraySlice<UInt8>, into lines: inout [(number: Int, text: String)]) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            partial.append(contentsOf: bytes[start..<newline])
            lineNumber += 1
            lines.append((lineNumber, String(decoding: partial, as: UTF8.self)))
            partial.removeAll(keepingCapacity: true)
            start = newline + 1
        }
        partial.append(contentsOf: bytes[start...])
        if partial.count > Self.maxLineBytes {
            lineNumber += 1
            lines.append((lineNumber, String(decoding: partial.prefix(200), as: UTF8.self)))
            partial.removeAll()
        }
    }
}

/// `close(2)`; inside the follower, `close` means the method.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
