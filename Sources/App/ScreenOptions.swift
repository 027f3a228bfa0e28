import ArgumentParser
import Cells
import Foundation
import Terminal

/// `--headless`, `--ascii`, `--no-color`, `--theme`, `--no-mouse`: whether a subcommand opens the
/// dashboard, and how it draws and listens.
public struct ScreenOptions: ParsableArguments, Sendable {
    /// Print plain lines instead of opening the dashboard.
    @Flag(help: "Print plain lines instead of opening the dashboard.")
    public var headless = false

    /// Force ASCII glyphs even in a UTF-8 locale.
    @Flag(help: "Draw with ASCII only (no braille or block characters).")
    public var ascii = false

    /// Monochrome dashboard (NO_COLOR in the environment does the same).
    @Flag(name: .customLong("no-color"), help: "Do not use colours (also when NO_COLOR is set).")
    public var noColor = false

    /// The terminal's background, for the palette: asked of the terminal unless given.
    @Option(help: ThemeChoice.help)
    public var theme: ThemeChoice = .auto

    /// Leave the mouse to the terminal (its own text selection); every action has a key.
    @Flag(name: .customLong("no-mouse"), help: ScreenOptions.noMouseHelp)
    public var noMouse = false

    public init() {}

    static let noMouseHelp: ArgumentHelp = "Leave the mouse to the terminal, to select text as usual (every action has a key)."

    /// The dashboard when both ends are a terminal ncurses can drive and --headless is absent.
    var mode: RunMode {
        RunMode.select(headlessFlag: headless, stdoutIsTerminal: StandardStreams.isTerminal(STDOUT_FILENO),
                       stdinIsTerminal: StandardStreams.isTerminal(STDIN_FILENO), term: Self.environment["TERM"])
    }

    /// Colours unless --no-color or a non-empty NO_COLOR.
    var allowColor: Bool { !noColor && !(Self.environment["NO_COLOR"].map { !$0.isEmpty } ?? false) }

    /// Said when the dashboard was wanted but the terminal could not be opened.
    static var cannotDriveTerminal: String {
        "cannot drive this terminal (TERM=\(environment["TERM"] ?? "")); running headless"
    }

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }
}
