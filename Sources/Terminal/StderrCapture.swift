#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends fd 2 to an anonymous temporary file while the TUI is up, so that anything written to
/// stderr (warnings, a crash message) is neither drawn over the dashboard nor lost behind the
/// alternate screen; `restore` replays it onto the real stderr after `endwin`.
enum StderrCapture {
    /// Starts capturing. Returns false (and leaves stderr alone) if no temporary file can be made,
    /// or if fd 2 is not a stream at all: when stderr was closed at start (and `ProcessStart` did
    /// not fill it), the number belongs to whatever opened it next, such as libdispatch's epoll
    /// descriptor, and `dup2` over it would hang the program.
    static func begin() -> Bool {
        guard savedStderrDescriptor.load(ordering: .sequentiallyConsistent) < 0 else { return true }
        guard StandardDescriptors.isStream(STDERR_FILENO) else { return false }
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/mnist-tui-stderr-XXXXXX".utf8CString)
        // baseAddress is non-nil: utf8CString is never empty (it holds at least the NUL).
        let log = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard log >= 0 else { return false }
        // Unlinked at once: the file lives only as long as the descriptor, nothing is left behind.
        // (mkstemp filled in the name in place; baseAddress is non-nil as above.)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let saved = dup(STDERR_FILENO)
        guard saved >= 0 else { _ = close(log); return false }
        fflush(nil)
        _ = dup2(log, STDERR_FILENO)
        stderrLogDescriptor.store(log, ordering: .sequentiallyConsistent)
        savedStderrDescriptor.store(saved, ordering: .sequentiallyConsistent)
        return true
    }

    /// Points stderr back at the terminal and replays what was captured. Idempotent.
    static func end() {
        fflush(nil)
        restoreStderrAndReplayLog()
    }
}
