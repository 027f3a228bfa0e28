import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered line output on the standard descriptors: each line leaves at once and whole
/// (headless lines are read live through pipes), and nothing depends on C stdio's buffers.
///
/// A failed write to stdout is remembered: output that is lost (a full disk, `>&-`, a reader that
/// went away) must not be reported as success. The run ends through its normal path (see
/// `stdoutFailureStatus`); a closed pipe (EPIPE, SIGPIPE being ignored) ends it like SIGPIPE would
/// have, status 141, but with the checkpoint saved and the metrics closed.
enum StandardStreams {
    /// Writes `line` to stdout; false if it could not be written (then and for good: once stdout
    /// failed nothing more is written to it).
    @discardableResult
    static func printLine(_ line: String) -> Bool {
        guard stdoutError.load(ordering: .acquiring) == 0 else { return false }
        let error = write(line + "\n", to: STDOUT_FILENO)
        guard error != 0 else { return true }
        _ = stdoutError.compareExchange(expected: 0, desired: error, ordering: .acquiringAndReleasing)
        return false
    }

    static func printError(_ line: String) { _ = write(line + "\n", to: STDERR_FILENO) }

    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// After a failed write to stdout: reports it (one line on stderr naming stdout and the
    /// error) and returns the exit status it calls for, 141 (128 + SIGPIPE) for a closed pipe and
    /// 1 otherwise. Nil while every write worked.
    static func stdoutFailureStatus() -> Int32? {
        let error = stdoutError.load(ordering: .acquiring)
        guard error != 0 else { return nil }
        printError("mnist-tui: cannot write to stdout (\(String(cString: strerror(error)))): output from there on was lost")
        return error == EPIPE ? 128 + SIGPIPE : ExitStatus.failure
    }

    /// The errno of the first failed write to stdout; 0 while none failed.
    private static let stdoutError = Atomic<Int32>(0)

    /// Writes all of `text`; 0, or the errno that stopped it.
    private static func write(_ text: String, to descriptor: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, base + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written < 0 { return errno }
                if written == 0 { return EIO }  // a write that makes no progress would loop forever
                offset += written
            }
            return 0
        }
    }
}

/// `write(2)`; inside `StandardStreams`, `write` means the method.
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
