import CNcurses
import Cells
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal can show, decided once at start.
public struct TerminalCapabilities: Sendable, Equatable {
    /// UTF-8 locale: braille and block glyphs render. Otherwise only ASCII is written.
    public var unicode: Bool
    /// Colours are on (the terminal has them, NO_COLOR is unset, the user did not turn them off).
    public var color: Bool
    /// The terminal's background (asked for, or as the caller forced it).
    public var background: BackgroundTone

    public init(unicode: Bool, color: Bool, background: BackgroundTone = .dark) {
        self.unicode = unicode
        self.color = color
        self.background = background
    }
}

/// The ncurses backend: owns the terminal between `open` and `restore`, writes `CellGrid`s out
/// (only the cells that changed since the last frame) and reads keys.
///
/// ncurses is not thread-safe: create, use and restore it on one thread (the main actor).
public final class TerminalScreen {
    // MARK: State

    public let capabilities: TerminalCapabilities
    /// Current size in cells (updated on `KEY_RESIZE`).
    public private(set) var width: Int
    public private(set) var height: Int

    /// The last frame written; nil forces a full redraw.
    private var previous: CellGrid?
    /// Set on a resize: the next frame clears the physical screen too.
    private var needsClear = false
    private var colorPairs: [ColorPairKey: Int16] = [:]
    private var nextColorPair: Int = 1
    private let colorCount: Int
    private let colorPairLimit: Int
    private let hasDefaultColors: Bool
    /// Whether the terminal is asked for mouse reports (not with `--no-mouse`).
    private let reportsMouse: Bool
    private var replacedCrashActions: [(Int32, sigaction)] = []
    private var jobControl = JobControl.Installation()
    private var isOpen = true
    /// Mouse reports and late terminal answers, assembled across reads.
    private var sequences = InputSequences()

    private struct ColorPairKey: Hashable {
        var foreground: Int32
        var background: Int32
    }

    // MARK: Opening

    /// Whether `TERM` names a terminal worth trying (a missing, empty or "dumb" TERM cannot
    /// address the cursor, so the caller runs headless instead).
    public static func termIsUsable(_ term: String?) -> Bool {
        guard let term, !term.isEmpty else { return false }
        return term != "dumb" && term != "unknown"
    }

    /// Takes over the terminal, or returns nil (terminal left untouched) when ncurses cannot
    /// drive it. `allowColor` false (from `--no-color` or NO_COLOR) forces monochrome.
    /// `background` nil: found out from COLORFGBG or by asking the terminal (`TerminalBackground`),
    /// before ncurses reads the keyboard; given: forced (`--theme`). `mouse` false (`--no-mouse`)
    /// leaves the mouse to the terminal (its own selection), the dashboard then works by keys alone.
    public static func open(allowColor: Bool, background: BackgroundTone? = nil, mouse: Bool = true) -> TerminalScreen? {
        setlocale(LC_ALL, "")
        let unicode = Platform.localeIsUTF8()
        CrashGuard.registerAtExit
        // Before newterm, so that ncurses finds SIGTSTP taken and installs no handler of its own.
        let jobControl = JobControl.install()
        let (tone, typedAhead) = TerminalBackground.find(forced: background, allowColor: allowColor)
        let capturing = StderrCapture.begin()
        guard let screen = newterm(nil, mnist_stdout(), mnist_stdin()) else {
            if capturing { StderrCapture.end() }
            JobControl.uninstall(jobControl)
            return nil
        }
        _ = set_term(screen)
        cursesActive.store(true, ordering: .sequentiallyConsistent)
        let terminal = TerminalScreen(unicode: unicode, allowColor: allowColor, background: tone, mouse: mouse)
        TerminalBackground.giveBack(typedAhead)
        terminal.jobControl = jobControl
        return terminal
    }

    /// Seconds the program has spent stopped (Ctrl-Z until `fg`) while a screen was open, so that
    /// clocks shown to the user (elapsed, ETA) can leave them out. Only grows; any thread.
    public static var secondsStopped: Double {
        Double(JobControl.stoppedNanoseconds.load(ordering: .sequentiallyConsistent)) * 1e-9
    }

    private init(unicode: Bool, allowColor: Bool, background: BackgroundTone, mouse: Bool) {
        reportsMouse = mouse
        let window = mnist_stdscr()
        _ = cbreak()
        _ = noecho()
        _ = keypad(window, true)
        _ = nodelay(window, true)
        _ = curs_set(0)
        // Esc alone must not wait a second for a possible escape sequence behind it.
        _ = set_escdelay(25)
        // A mouse report's introducer as one key code, whatever terminfo's kmous says.
        _ = define_key("\u{1B}[<", InputSequences.mouseIntroducerCode)

        var color = false
        var defaults = false
        if allowColor && has_colors() {
            color = start_color() == OK
            defaults = color && use_default_colors() == OK
        }
        capabilities = TerminalCapabilities(unicode: unicode, color: color, background: background)
        colorCount = color ? Int(mnist_colors()) : 0
        // init_pair takes a short; the dashboard needs a few dozen pairs at most.
        colorPairLimit = color ? min(Int(mnist_color_pairs()), Int(Int16.max)) : 0
        hasDefaultColors = defaults
        width = Int(mnist_cols())
        height = Int(mnist_lines())
        replacedCrashActions = CrashGuard.install()
        if reportsMouse { MouseReporting.enable() }
    }

    deinit { restore() }

    // MARK: Input

    /// Everything typed since the last call (never blocks). A resize is reported as `.resize`
    /// and schedules a full redraw; `width` and `height` are already updated when it is returned.
    /// A pending Ctrl-Z is carried out here first (the program stops inside this call until `fg`);
    /// after it, or any other stop and continue, `.resize` is reported too: the screen is stale.
    public func readInput() -> [TerminalInput] {
        guard isOpen else { return [] }
        var inputs: [TerminalInput] = []
        if handleJobControl() { inputs.append(.resize) }
        let window = mnist_stdscr()
        // Bounded so a flood of input (a paste, a held key) cannot starve drawing.
        while inputs.count < 256 {
            var character: wint_t = 0
            let status = wget_wch(window, &character)
            if status == ERR { break }
            let raw: RawInput = status == KEY_CODE_YES
                ? .keyCode(Int32(truncatingIfNeeded: character))
                : .character(UInt32(truncatingIfNeeded: character))
            for input in sequences.feed(raw) {
                if input == .resize {
                    width = Int(mnist_cols())
                    height = Int(mnist_lines())
                    previous = nil
                    needsClear = true
                }
                inputs.append(input)
            }
        }
        inputs += sequences.endOfRead()
        return inputs
    }

    /// Blocks until input is waiting on the terminal or `seconds` have passed (a signal, such as
    /// the window-size change, also ends the wait). Sleeping here instead of polling keys on a
    /// short timer keeps the UI from waking up to take CPU from training when nothing is typed.
    public func waitForInput(upTo seconds: Double) {
        guard isOpen, seconds > 0 else { return }
        // newterm reads the process's stdin (see `open`); Ctrl-Z and continuing wake the self-pipe.
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: JobControl.wakeReader.load(ordering: .sequentiallyConsistent),
                                  events: Int16(POLLIN), revents: 0)]
        _ = poll(&descriptors, descriptors[1].fd >= 0 ? 2 : 1, Int32(min(seconds, 10) * 1000))
    }

    // MARK: Job control

    /// Carries out a pending Ctrl-Z on this (the UI) thread: curses mode left and stderr given
    /// back, so the shell has a sane terminal; stopped until continued; then curses mode again and
    /// the next frame drawn in full. True if the screen needs that full redraw (also after a stop
    /// and continue that did not come through here, such as `kill -STOP` / `kill -CONT`).
    private func handleJobControl() -> Bool {
        JobControl.drainWakeUps()
        var redraw = false
        if JobControl.stopRequested.exchange(false, ordering: .sequentiallyConsistent) {
            _ = endwin()
            cursesActive.store(false, ordering: .sequentiallyConsistent)
            // The shell gets a terminal that does not send mouse reports as text.
            MouseReporting.disable()
            StderrCapture.end()
            JobControl.stopUntilContinued()
            _ = StderrCapture.begin()
            cursesActive.store(true, ordering: .sequentiallyConsistent)
            redraw = true
        }
        if JobControl.continued.exchange(false, ordering: .sequentiallyConsistent) { redraw = true }
        guard redraw else { return false }
        // Whoever stopped and continued us may have reset the terminal's modes: mouse on again.
        if reportsMouse { MouseReporting.enable() }
        // The size may have changed while stopped; the next refresh leaves endwin's state.
        width = Int(mnist_cols())
        height = Int(mnist_lines())
        previous = nil
        needsClear = true
        return true
    }

    // MARK: Output

    /// Writes `grid` at the top left: only the cells that differ from the previous frame, or all
    /// of them after a resize or a size change. Cells beyond the terminal are clipped.
    public func draw(_ grid: CellGrid) {
        guard isOpen else { return }
        let window = mnist_stdscr()
        let last = previous.flatMap { $0.width == grid.width && $0.height == grid.height ? $0 : nil }
        if last == nil {
            _ = werase(window)
            if needsClear { _ = clearok(window, true) }
        }
        let rows = min(grid.height, height)
        let columns = min(grid.width, width)
        grid.cells.withUnsafeBufferPointer { cells in
            for y in 0..<rows {
                let rowStart = y * grid.width
                for x in 0..<columns {
                    let cell = cells[rowStart + x]
                    if let last {
                        if last.cells[rowStart + x] == cell { continue }
                    } else if cell == .blank {
                        continue  // already blank after werase
                    }
                    put(cell, x: x, y: y)
                }
            }
        }
        previous = grid
        needsClear = false
        _ = wrefresh(window)
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        var scalar = cell.character.value
        // Outside a UTF-8 locale multibyte glyphs come out as junk: keep the layout, show '?'.
        if !capabilities.unicode && scalar > 0x7E { scalar = 0x3F }
        if scalar < 0x20 { scalar = 0x20 }
        var attributes = attributes(cell.attributes)
        var pair: Int16 = 0
        if capabilities.color {
            let foreground = ColorMapping.foreground(cell.foreground, colorCount: colorCount)
            if foreground.dim { attributes |= mnist_a_dim() }
            pair = colorPair(foreground: foreground.color,
                             background: ColorMapping.terminalColor(cell.background, colorCount: colorCount))
        }
        _ = mnist_put_cell(Int32(y), Int32(x), scalar, attributes, pair)
    }

    private func attributes(_ attributes: CellAttributes) -> attr_t {
        var result = mnist_a_normal()
        if attributes.contains(.bold) { result |= mnist_a_bold() }
        if attributes.contains(.dim) { result |= mnist_a_dim() }
        if attributes.contains(.reverse) { result |= mnist_a_reverse() }
        if attributes.contains(.underline) { result |= mnist_a_underline() }
        return result
    }

    /// The colour pair for a foreground/background combination (terminal colour numbers, -1 the
    /// default), allocated on first use.
    /// Pair 0 (the terminal's defaults) when colour is off or the pairs run out.
    private func colorPair(foreground: Int32, background: Int32) -> Int16 {
        guard capabilities.color else { return 0 }
        var key = ColorPairKey(foreground: foreground, background: background)
        if key.foreground == -1 && key.background == -1 { return 0 }
        if !hasDefaultColors {
            // Without use_default_colors, -1 is not a colour: assume white on black.
            if key.foreground == -1 { key.foreground = Int32(COLOR_WHITE) }
            if key.background == -1 { key.background = Int32(COLOR_BLACK) }
        }
        if let pair = colorPairs[key] { return pair }
        guard nextColorPair < colorPairLimit else { return 0 }
        let pair = Int16(nextColorPair)
        guard init_pair(pair, Int16(key.foreground), Int16(key.background)) == OK else { return 0 }
        nextColorPair += 1
        colorPairs[key] = pair
        return pair
    }

    // MARK: Restoring

    /// Gives the terminal back: `endwin` (cursor, echo, line mode, main screen), the crash
    /// handlers removed, and stderr pointed back at the terminal with everything written to it
    /// meanwhile replayed. Idempotent; also run by `deinit`, a crash handler and `atexit`.
    public func restore() {
        guard isOpen else { return }
        isOpen = false
        emergencyRestore()
        CrashGuard.uninstall(replacedCrashActions)
        replacedCrashActions = []
        JobControl.uninstall(jobControl)
        jobControl = JobControl.Installation()
    }
}
