import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Ctrl-Z and `fg` while the dashboard is up.
//
// ncurses installs its own SIGTSTP handler when it finds SIGTSTP at its default: it runs on
// whichever thread the signal lands on (the trainer's, a Dispatch worker) and calls into curses
// while the UI thread is drawing. Here that race left SIGTSTP ignored after the second `fg` (the
// next Ctrl-Z did nothing and the shell's `fg` went into the dashboard as keys) and left stale
// fragments on screen. So our handler is installed before `newterm` (ncurses then keeps out of
// SIGTSTP for good) and does nothing but note the request and wake the UI thread through a
// self-pipe; the UI thread leaves curses mode, stops the process itself, and on continuing
// re-enters curses mode and redraws everything (`TerminalScreen.readInput`).

/// The signal-handler side: process-wide atomics (a handler cannot capture context).
enum JobControl {
    /// Set by SIGTSTP: the UI thread should suspend the program.
    static let stopRequested = Atomic<Bool>(false)
    /// Set by SIGCONT: the screen may be stale (stopped and continued by anyone), redraw it all.
    static let continued = Atomic<Bool>(false)
    /// The self-pipe: the handlers write a byte to `wakeWriter`; the UI's poll watches `wakeReader`.
    static let wakeReader = Atomic<Int32>(-1)
    static let wakeWriter = Atomic<Int32>(-1)
    /// Nanoseconds the program has spent stopped by Ctrl-Z so far (process-wide, only grows).
    static let stoppedNanoseconds = Atomic<Int64>(0)

    private static let handler: Platform.SignalHandler = { number in
        if number == SIGTSTP {
            stopRequested.store(true, ordering: .sequentiallyConsistent)
        } else {
            continued.store(true, ordering: .sequentiallyConsistent)
        }
        let writer = wakeWriter.load(ordering: .sequentiallyConsistent)
        if writer >= 0 {
            let savedErrno = errno
            var byte: UInt8 = 1
            _ = write(writer, &byte, 1)  // a full pipe already holds a wake-up: ignore EAGAIN
            errno = savedErrno
        }
    }

    /// The actions `install` replaced, to put back.
    struct Installation {
        var previous: [(Int32, sigaction)] = []
    }

    /// Installs the handlers for SIGTSTP and SIGCONT (before `newterm`) and opens the self-pipe.
    /// A SIGTSTP that is ignored (by whoever started us) stays ignored: then Ctrl-Z does nothing,
    /// as they meant.
    static func install() -> Installation {
        if wakeReader.load(ordering: .sequentiallyConsistent) < 0 {
            var ends: [Int32] = [-1, -1]
            if pipe(&ends) == 0 {
                for end in ends {
                    _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                    _ = fcntl(end, F_SETFD, FD_CLOEXEC)
                }
                wakeReader.store(ends[0], ordering: .sequentiallyConsistent)
                wakeWriter.store(ends[1], ordering: .sequentiallyConsistent)
            }
        }
        var installation = Installation()
        for number in [SIGTSTP, SIGCONT] where !(number == SIGTSTP && Platform.isIgnored(number)) {
            installation.previous.append((number, Platform.installHandler(handler, for: number, restart: true)))
        }
        stopRequested.store(false, ordering: .sequentiallyConsistent)
        continued.store(false, ordering: .sequentiallyConsistent)
        return installation
    }

    /// Puts back what `install` replaced (the pipe stays open for a later screen).
    static func uninstall(_ installation: Installation) {
        for (number, action) in installation.previous { Platform.restoreAction(action, for: number) }
    }

    /// Empties the self-pipe (the flags say what happened).
    static func drainWakeUps() {
        let reader = wakeReader.load(ordering: .sequentiallyConsistent)
        guard reader >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(reader, &bytes, bytes.count) > 0 {}
    }

    /// Stops the process as SIGTSTP's default action would, from the calling thread, and returns
    /// once it is continued; the time stopped is added to `stoppedNanoseconds`. The caller has
    /// left curses mode. Our handler is back in place on return.
    static func stopUntilContinued() {
        let start = ContinuousClock.now
        let previous = Platform.installDefault(for: SIGTSTP)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTSTP)
        _ = pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        _ = raise(SIGTSTP)  // the whole process stops here until SIGCONT (fg, bg, kill -CONT)
        Platform.restoreAction(previous, for: SIGTSTP)
        // A second Ctrl-Z typed while we were leaving curses mode asked for the stop we just had.
        stopRequested.store(false, ordering: .sequentiallyConsistent)
        let stopped = ContinuousClock.now - start
        let nanoseconds = stopped.components.seconds * 1_000_000_000 + stopped.components.attoseconds / 1_000_000_000
        stoppedNanoseconds.add(nanoseconds, ordering: .sequentiallyConsistent)
    }
}
