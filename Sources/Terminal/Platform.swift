// Everything that differs between Linux (Glibc) and macOS (Darwin) in the terminal backend lives
// here, so the rest of the module is written once.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin, platform-neutral wrappers over the few libc calls the backend needs.
enum Platform {
    // MARK: Signals

    /// A plain C signal handler (no `siginfo`), as `sigaction`'s `sa_handler` takes it.
    typealias SignalHandler = @convention(c) (Int32) -> Void

    /// Installs `handler` for `number` with `sigaction` and returns the action it replaced.
    /// The handler runs with `SA_RESETHAND` semantics left to the handler itself, so that it
    /// can restore the default action explicitly before re-raising.
    /// `restart`: system calls the signal interrupts on other threads are restarted (SA_RESTART)
    /// instead of failing with EINTR.
    static func installHandler(_ handler: SignalHandler, for number: Int32, restart: Bool = false) -> sigaction {
        setAction(handler, for: number, restart: restart)
    }

    /// Gives `number` its default action with `sigaction` and returns the action it replaced.
    static func installDefault(for number: Int32) -> sigaction {
        setAction(nil, for: number, restart: false)
    }

    /// `sigaction` with `handler` (nil: SIG_DFL), an empty mask and SA_RESTART if asked for.
    private static func setAction(_ handler: SignalHandler?, for number: Int32, restart: Bool) -> sigaction {
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = restart ? Int32(SA_RESTART) : 0
        var previous = sigaction()
        _ = sigaction(number, &action, &previous)
        return previous
    }

    /// Puts back an action saved by `installHandler`.
    static func restoreAction(_ action: sigaction, for number: Int32) {
        var action = action
        _ = sigaction(number, &action, nil)
    }

    /// The default action for `number` (terminate, or dump core for the crash signals).
    static func resetToDefault(_ number: Int32) {
        _ = signal(number, SIG_DFL)
    }

    /// Whether `number` is ignored right now (`SIG_IGN`), read without changing it.
    static func isIgnored(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        #if canImport(Glibc)
        let handler = current.__sigaction_handler.sa_handler
        #else
        let handler = current.__sigaction_u.__sa_handler
        #endif
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Ignores `number` (its default action would kill the process before we restore the terminal).
    static func ignore(_ number: Int32) {
        _ = signal(number, SIG_IGN)
    }

    // MARK: Locale

    /// True when the current `LC_CTYPE` (after `setlocale(LC_ALL, "")`) encodes text as UTF-8,
    /// which is what braille and block glyphs need.
    static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}
