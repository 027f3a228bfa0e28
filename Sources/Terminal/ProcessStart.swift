#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the executable does first, before anything (Dispatch included) opens a descriptor or
/// touches a signal. Each step answers a hostile start-up environment:
///
/// - A closed 0, 1 or 2 (`mnist-tui 2>&-`) would be handed to the next file opened: libdispatch's
///   epoll descriptor landed on fd 2, and capturing stderr `dup2`ed over it, which hung the UI for
///   good. Each closed one is filled with a placeholder, `/dev/null` opened in the direction that
///   makes every use fail as on the closed descriptor (a write to stdout still reports EBADF, so
///   lost output is still an error).
/// - SIGPIPE is ignored: a closed pipe on stdout must end the run through the normal path (the
///   checkpoint saved, the metrics closed), which `write` returning EPIPE allows and a kill does not.
/// - SIGQUIT (Ctrl-\) ends the program at once like a crash signal: terminal restored, then the
///   default action (status 131). Without this, Swift's backtracer caught it and waited 30 s on
///   the terminal over the dashboard. A SIGQUIT ignored at start (a background job) stays ignored.
/// - The signals ignored at start are read before anything changes them (see `SignalObserver`).
/// - Exiting skips the shared libraries' destructors: OpenBLAS's joins its worker threads and was
///   seen to deadlock there (a BLAS thread asleep on a condition variable that is never signalled),
///   leaving a finished run hanging after the terminal was restored. Everything that matters is
///   done by then (files written, renamed and closed, the terminal restored); the kernel frees
///   the rest.
public enum ProcessStart {
    /// Runs the steps above. Idempotent; call it as the first statement of `main`.
    public static func prepare() {
        StandardDescriptors.fillClosed()
        _ = SignalObserver.ignoredAtStart
        Platform.ignore(SIGPIPE)
        QuitSignal.install()
        FastExit.register
    }
}

/// `exit` without the library destructors (see `ProcessStart`).
enum FastExit {
    /// Registered first, so it runs last of the exit handlers registered after it (the terminal's
    /// `atexit` restore among them), and before the dynamic loader's destructors, which it skips.
    /// (glibc only: `on_exit` hands the handler the exit status; the deadlock was seen on Linux.)
    static let register: Void = {
        #if canImport(Glibc)
        _ = on_exit({ status, _ in
            fflush(nil)  // stdio buffers: ArgumentParser prints help and errors through them
            _exit(status)
        }, nil)
        #endif
    }()
}

/// Descriptors 0, 1 and 2.
enum StandardDescriptors {
    /// Opens a placeholder on each of 0...2 that is closed (lowest first, so `open` returns it).
    static func fillClosed() {
        for descriptor in STDIN_FILENO...STDERR_FILENO where !isOpen(descriptor) {
            // Write-only for stdin and read-only for the outputs: every use fails (EBADF) as it
            // would have on the closed descriptor, but the number is taken.
            let placeholder = open("/dev/null", (descriptor == STDIN_FILENO ? O_WRONLY : O_RDONLY))
            if placeholder >= 0 && placeholder != descriptor {
                // Only if a lower one was opened meanwhile by another thread; move it into place.
                _ = dup2(placeholder, descriptor)
                _ = close(placeholder)
            }
        }
    }

    static func isOpen(_ descriptor: Int32) -> Bool {
        fcntl(descriptor, F_GETFD) != -1 || errno != EBADF
    }

    /// Whether `descriptor` can be someone's stderr: a terminal or other device, a file, a pipe or
    /// a socket. Not an epoll, eventfd, signalfd or timerfd (anonymous inodes carry no file type):
    /// those belong to a library that got the number because stderr was closed.
    static func isStream(_ descriptor: Int32) -> Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        switch info.st_mode & S_IFMT {
        case S_IFCHR, S_IFREG, S_IFIFO, S_IFSOCK: return true
        default: return false
        }
    }
}

/// SIGQUIT as a crash signal for the whole run (see `ProcessStart`).
enum QuitSignal {
    static func install() {
        guard !SignalObserver.ignoredAtStart.contains(SIGQUIT) else { return }
        _ = Platform.installHandler(CrashGuard.handler, for: SIGQUIT)
    }
}
