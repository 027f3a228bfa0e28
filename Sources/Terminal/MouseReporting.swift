import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Mouse reporting, switched on and off by hand rather than through ncurses' `mousemask`: ncurses
// picks the report format from terminfo, and tmux's entry (kmous=\E[M) would give the old X10
// format, which cannot say which button came up and stops at column 223. These xterm modes work
// in xterm, tmux, iTerm2, Terminal.app, GNOME Terminal, kitty, WezTerm and Windows Terminal:
// 1000 reports presses and releases, 1002 also motion while a button is held (drawing with a
// drag), 1006 sends them as SGR sequences (`InputSequences` reads them).
//
// Whatever ends the program must switch it off again, or the shell receives every click as text:
// `emergencyRestore` (quit, error, signal, crash, exit) does, and so does Ctrl-Z before stopping.

enum MouseReporting {
    /// True while the terminal was told to report the mouse (read by the crash handler).
    static let isOn = Atomic<Bool>(false)

    private static let on: StaticString = "\u{1B}[?1000h\u{1B}[?1002h\u{1B}[?1006h"
    private static let off: StaticString = "\u{1B}[?1006l\u{1B}[?1002l\u{1B}[?1000l"

    /// Asks the terminal on stdout for mouse reports.
    static func enable() {
        isOn.store(true, ordering: .sequentiallyConsistent)
        send(on)
    }

    /// Stops the reports, if they were asked for. Idempotent; safe in a signal handler (only
    /// `write`).
    static func disable() {
        guard isOn.exchange(false, ordering: .sequentiallyConsistent) else { return }
        send(off)
    }

    private static func send(_ text: StaticString) {
        var offset = 0
        while offset < text.utf8CodeUnitCount {
            let written = write(STDOUT_FILENO, text.utf8Start + offset, text.utf8CodeUnitCount - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}
