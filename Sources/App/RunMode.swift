import Terminal

/// Dashboard or plain lines.
enum RunMode: Equatable {
    case headless
    case dashboard

    /// The dashboard needs a terminal on both ends (stdout to draw, stdin for keys) and a TERM
    /// ncurses can address; anything else, or `--headless`, prints plain lines with no escapes.
    static func select(headlessFlag: Bool, stdoutIsTerminal: Bool, stdinIsTerminal: Bool, term: String?) -> RunMode {
        if headlessFlag || !stdoutIsTerminal || !stdinIsTerminal { return .headless }
        return TerminalScreen.termIsUsable(term) ? .dashboard : .headless
    }
}
