import CNcurses
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The state a crash or an unexpected exit must see to put the terminal back. A signal handler
// cannot capture context, so it lives in process-wide atomics (lock-free, safe to read there).

/// True while ncurses owns the terminal (between `newterm` and `endwin`).
let cursesActive = Atomic<Bool>(false)
/// The real stderr, duplicated away while fd 2 points at the log file; -1 when not redirected.
let savedStderrDescriptor = Atomic<Int32>(-1)
/// The log file that receives fd 2 while the TUI is up; -1 when not redirected.
let stderrLogDescriptor = Atomic<Int32>(-1)

/// Puts the terminal and stderr back for good. Idempotent, and written to be callable from a
/// signal handler (only `endwin`, `dup2`, `lseek`, `read`, `write`, `close`; no allocation).
/// Mouse reporting goes off with it (`MouseReporting`).
func emergencyRestore() {
    if cursesActive.exchange(false, ordering: .sequentiallyConsistent) {
        endwin()
    }
    MouseReporting.disable()
    restoreStderrAndReplayLog()
}

/// Points fd 2 back at the real stderr and copies whatever was written to the log onto it, so
/// messages written while the alternate screen was up are not lost. Idempotent.
func restoreStderrAndReplayLog() {
    let saved = savedStderrDescriptor.exchange(-1, ordering: .sequentiallyConsistent)
    let log = stderrLogDescriptor.exchange(-1, ordering: .sequentiallyConsistent)
    if saved >= 0 {
        _ = dup2(saved, STDERR_FILENO)
        _ = close(saved)
    }
    guard log >= 0 else { return }
    _ = lseek(log, 0, SEEK_SET)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4096) { buffer in
        guard let base = buffer.baseAddress else { return }
        while true {
            let count = read(log, base, buffer.count)
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = write(STDERR_FILENO, base + offset, count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }
    _ = close(log)
}

/// Restores the terminal on a crash: `endwin`, stderr back (with what was logged), then the
/// default action is reinstated and the signal raised again so the process still dies of it
/// (exit status and core dump as without us). Installed only while the TUI is up.
enum CrashGuard {
    /// Signals that mean the program is crashing (traps, aborts, bad memory, arithmetic).
    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]

    /// Restores, then dies of `number` with its default action (also SIGQUIT's handler).
    static let handler: Platform.SignalHandler = { number in
        emergencyRestore()
        Platform.resetToDefault(number)
        _ = raise(number)
    }

    /// Installs the handler for every crash signal; returns the actions it replaced.
    static func install() -> [(Int32, sigaction)] {
        crashSignals.map { ($0, Platform.installHandler(handler, for: $0)) }
    }

    /// Puts back the actions `install` replaced.
    static func uninstall(_ previous: [(Int32, sigaction)]) {
        for (number, action) in previous { Platform.restoreAction(action, for: number) }
    }

    /// Also restore on a plain `exit()` from anywhere while the TUI is up (registered once).
    static let registerAtExit: Void = {
        _ = atexit { emergencyRestore() }
    }()
}

/// A crash signal that someone sends (`kill -SEGV`) instead of a fault: Swift's backtracer, the
/// action found at start, prints "Program crashed" and returns, and as nothing faults again the
/// run went on and exited 0. Installed at process start in front of that action: it runs it (the
/// backtrace is kept), then dies of the signal with its default action, whether it was a real
/// fault or not. Only an `SA_SIGINFO` handler (the backtracer) is chained; the default action,
/// an ignored signal or a plain handler found at start is left alone.
enum CrashChain {
    /// The crash signals' actions at start, indexed by signal number. Written only by `install`,
    /// the first thing `main` does (before any other thread exists), and read-only afterwards, in
    /// the handler; hence `nonisolated(unsafe)`. Never freed: it lives as long as the process.
    nonisolated(unsafe) private static let startupActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)

    /// A `sa_sigaction` handler: the action found at start, then the default action.
    private static let handler: @convention(c) (Int32, UnsafeMutablePointer<siginfo_t>?, UnsafeMutableRawPointer?) -> Void = {
        number, info, context in
        emergencyRestore()
        let previous = startupActions[Int(number)]
        #if canImport(Glibc)
        let chained = previous.__sigaction_handler.sa_sigaction
        #else
        let chained = previous.__sigaction_u.__sa_sigaction
        #endif
        chained?(number, info, context)
        Platform.resetToDefault(number)
        _ = raise(number)
    }

    static func install() {
        for number in CrashGuard.crashSignals {
            var current = sigaction()
            guard sigaction(number, nil, &current) == 0, current.sa_flags & Int32(SA_SIGINFO) != 0 else { continue }
            startupActions[Int(number)] = current
            var action = current  // same mask and flags (SA_ONSTACK among them), our handler first
            #if canImport(Glibc)
            action.__sigaction_handler.sa_sigaction = handler
            #else
            action.__sigaction_u.__sa_sigaction = handler
            #endif
            _ = sigaction(number, &action, nil)
        }
    }
}
