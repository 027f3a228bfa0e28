import ArgumentParser
import Dashboard
import Foundation
import Terminal

/// `mnist-tui watch FILE`: the dashboard of a run another process writes (or wrote) with
/// `--metrics FILE`, read-only. Follows the file like `tail -f`; q or Ctrl-C leaves, and the
/// run being watched is never touched.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Show the dashboard of a run another process writes with --metrics FILE (read-only).",
        discussion: """
            Waits for FILE to appear and follows it as it grows: loss, accuracy, digits, confusion \
            matrix and the misclassified browser, the test images loaded from the dataset the run \
            line names. Lines that are not metrics are skipped and counted. q or Ctrl-C leaves; the \
            run being watched goes on. Exit status: 0 on q, 1 without a terminal, 128+N on signal N.
            """
    )

    @Argument(help: ArgumentHelp("The metrics file (JSON Lines) to follow.", valueName: "FILE"))
    var file: String

    @Flag(help: "Draw with ASCII only (no braille or block characters).")
    var ascii = false

    @Flag(name: .customLong("no-color"), help: "Do not use colours (also when NO_COLOR is set).")
    var noColor = false

    @Option(help: ThemeChoice.help)
    var theme: ThemeChoice = .auto

    @Flag(name: .customLong("no-mouse"), help: ScreenOptions.noMouseHelp)
    var noMouse = false

    func validate() throws {
        guard !file.isEmpty else { throw ValidationError("watch needs a file name") }
    }

    func run() async throws {
        let status = await WatchMode.run(path: file, allowColor: !noColor && !Self.noColorVariable, forceASCII: ascii,
                                         theme: theme, mouse: !noMouse)
        if status != 0 { throw ExitCode(status) }
    }

    private static var noColorVariable: Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    }
}

/// The watch mode with a real terminal: signals, the screen, the loop over a `WatchSource`.
@MainActor
enum WatchMode {
    static func run(path: String, allowColor: Bool, forceASCII: Bool, theme: ThemeChoice, mouse: Bool) async -> Int32 {
        guard StandardStreams.isTerminal(STDOUT_FILENO), StandardStreams.isTerminal(STDIN_FILENO) else {
            StandardStreams.printError("mnist-tui: watch \(path): needs a terminal (it draws the dashboard)")
            return ExitStatus.failure
        }
        let signals = SignalObserver()
        defer { signals.cancel() }
        guard let screen = TerminalScreen.open(allowColor: allowColor, background: theme.forced, mouse: mouse) else {
            StandardStreams.printError("mnist-tui: watch \(path): cannot drive this terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? ""))")
            return ExitStatus.failure
        }
        defer { screen.restore() }
        let clock = MonotonicClock()
        let options = screen.displayOptions(forceASCII: forceASCII)
        var loop = DashboardLoop(screen: screen, run: ReadOnlyRun(reason: "read-only: watching \(path)"), events: WatchSource(path: path),
                                 reports: ReportInbox(), now: clock.now, interrupted: { signals.received.signal },
                                 state: WatchSource.initialState(path: path, options: options, now: clock.now()))
        let end = await loop.run()
        screen.restore()
        switch end {
        case .quit: return ExitStatus.success
        case .signal(let number): return 128 + number
        }
    }
}
