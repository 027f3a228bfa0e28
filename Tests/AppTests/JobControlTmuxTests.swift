import Foundation
import Testing

/// The real binary under an interactive shell in tmux, as a person drives it (issue 13 items 2,
/// 7, 8 and 9): Ctrl-Z and `fg` five times, Ctrl-\, stderr closed, an 8-colour TERM.
@Suite(.serialized) struct JobControlTmuxTests {
    private static let enabled = tmuxPath != nil || runningInCI

    /// An interactive bash (job control on) in tmux, after checking tmux and the binary are there.
    private func shell() throws -> TmuxSession {
        let tmux = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return try TmuxSession(tmux: tmux, interactiveShellWidth: 120, height: 40)
    }

    /// The command line that starts the binary (no core files from Ctrl-\, no backtracer switch:
    /// the program must behave without it).
    private func commandLine(_ arguments: [String], environment: String = "", redirect: String = "") -> String {
        "ulimit -c 0; \(environment) LANG=C.UTF-8 LC_ALL=C.UTF-8 "
            + ([binaryPath] + arguments).map { "'\($0)'" }.joined(separator: " ") + " \(redirect)"
    }

    // MARK: - Ctrl-Z / fg (item 7)

    @Test("five Ctrl-Z / fg cycles (training, paused, browser): a sane shell each time, a whole live dashboard after",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(3)))
    func suspendAndResumeFiveTimes() throws {
        let session = try shell()
        defer { session.close() }
        try session.type(commandLine(["--train-limit", "2000", "--epochs", "1000", "--seed", "2"]))
        var screen = try session.waitFor("dashboard running") {
            Screen.batch($0) != nil && $0.contains("RUNNING") && $0.contains("q quit")
        }
        let pid = try #require(try session.programPID(), "no mnist-tui process in the pane")
        defer { kill(pid, SIGKILL) }
        _ = try session.waitFor("the first evaluation") { (Screen.epoch($0) ?? 0) >= 2 }

        let views = ["training", "training", "paused", "browser", "browser"]
        for (cycle, view) in views.enumerated() {
            // Put the dashboard in the view of this cycle.
            if view == "paused" && cycle == 2 {
                try session.send("p")
                _ = try session.waitFor("PAUSED") { $0.contains("PAUSED") }
            }
            if view == "browser" && cycle == 3 {
                try session.send("m")
                _ = try session.waitFor("the browser") { $0.contains("predicted") && Screen.testImage($0) != nil }
            }
            screen = try session.capture()
            let lrBefore = Screen.learningRate(screen)
            let imageBefore = Screen.testImage(screen)

            // Ctrl-Z: the process stops, the shell has the terminal back, line mode and echo on.
            try session.send("C-z")
            screen = try session.waitFor("cycle \(cycle + 1): the shell's Stopped line and prompt", seconds: 10) {
                $0.contains("Stopped") && $0.split(separator: "\n").last?.hasPrefix("$") == true
            }
            #expect(try session.alternateScreen() == false, "cycle \(cycle + 1): alternate screen left on")
            #expect(processState(pid) == "T", "cycle \(cycle + 1): not stopped: \(processState(pid) ?? "gone")")
            #expect(!tstpIgnored(pid), "cycle \(cycle + 1): SIGTSTP ignored while stopped")
            #expect(try session.ttyIsSane(marker: "stopped-\(cycle + 1)"), "cycle \(cycle + 1): tty left raw")

            // fg: the whole dashboard again, in the same view, with nothing of the shell left on it.
            try session.send("C-l")  // clear the shell screen so leftovers would show
            try session.type("fg")
            screen = try session.waitFor("cycle \(cycle + 1): the whole \(view) dashboard back", seconds: 15) {
                let panels = view == "browser"
                    ? $0.contains("Misclassified") && $0.contains("predicted") && $0.contains("Esc closes")
                    : $0.contains("Loss") && $0.contains("Confusion") && $0.contains("q quit")
                return panels && $0.contains("Accuracy") && Screen.batch($0) != nil
                    && (view == "paused" ? $0.contains("PAUSED") : $0.contains("RUNNING"))
            }
            #expect(!screen.contains("Stopped") && !screen.contains("$ fg") && !screen.contains("icanon"),
                    "cycle \(cycle + 1): shell text left on the dashboard:\n\(screen)")
            #expect(processState(pid) != "T", "cycle \(cycle + 1): still stopped")
            #expect(!tstpIgnored(pid), "cycle \(cycle + 1): SIGTSTP left ignored after fg")
            #expect(Screen.learningRate(screen) == lrBefore, "cycle \(cycle + 1): the lr changed: keys leaked in")
            #expect(Screen.testImage(screen) == imageBefore, "cycle \(cycle + 1): the browser moved: keys leaked in")

            // Live: training moves on (unless paused), and the dashboard still answers keys.
            if view != "paused" {
                let (epoch, batch) = (Screen.epoch(screen), Screen.batch(screen))
                _ = try session.waitFor("cycle \(cycle + 1): training to move on", seconds: 30) {
                    Screen.batch($0) != nil && (Screen.epoch($0) != epoch || Screen.batch($0) != batch)
                }
            } else {
                try session.send("p")
                _ = try session.waitFor("cycle \(cycle + 1): p to resume", seconds: 10) { $0.contains("RUNNING") }
            }
        }

        try session.send("Escape")
        try session.send("q")
        let (status, sane) = try session.exitReport()
        #expect(status == 0)
        #expect(sane, "terminal left raw")
    }

    // MARK: - Ctrl-\ (item 8)

    @Test("Ctrl-\\ ends the dashboard at once with 131, terminal restored, no backtracer prompt",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(1)))
    func quitSignalEndsLikeACrash() throws {
        let session = try shell()
        defer { session.close() }
        // The backtracer left at its default (SWIFT_BACKTRACE unset): it is what used to take over.
        try session.type(commandLine(["--train-limit", "2000", "--epochs", "1000"], environment: "env -u SWIFT_BACKTRACE"))
        _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
        let pid = try #require(try session.programPID(), "no mnist-tui process in the pane")
        defer { kill(pid, SIGKILL) }
        let sent = Date()
        try session.send("C-\\")
        _ = try session.waitFor("the shell prompt back", seconds: 10) {
            $0.split(separator: "\n").last?.hasPrefix("$") == true && !$0.contains("RUNNING")
        }
        #expect(Date().timeIntervalSince(sent) < 5, "took \(Date().timeIntervalSince(sent)) s")
        let (status, sane) = try session.exitReport()
        #expect(status == 131)
        #expect(sane, "terminal left raw")
        #expect(try session.alternateScreen() == false, "the alternate screen was left on")
        let screen = try session.capture()
        #expect(!screen.contains("Backtrace") && !screen.contains("Crashed") && !screen.contains("Press space"),
                "\(screen)")
    }

    // MARK: - stderr closed (item 2)

    @Test("with stderr closed (2>&-) the dashboard stays live and q exits 0",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(1)))
    func closedStderrDoesNotHang() throws {
        let session = try shell()
        defer { session.close() }
        try session.type(commandLine(["--train-limit", "2000", "--epochs", "1000"], redirect: "2>&-"))
        var screen = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
        let pid = try #require(try session.programPID(), "no mnist-tui process in the pane")
        defer { kill(pid, SIGKILL) }  // a hung one ignores everything else
        // The hang came within seconds: keep watching the clock move for a while.
        for second in 1...4 {
            let (epoch, batch) = (Screen.epoch(screen), Screen.batch(screen))
            screen = try session.waitFor("the dashboard to move (\(second))", seconds: 10) {
                Screen.batch($0) != nil && (Screen.epoch($0) != epoch || Screen.batch($0) != batch)
            }
        }
        try session.send("p")
        _ = try session.waitFor("p to answer", seconds: 5) { $0.contains("PAUSED") }
        try session.send("q")
        let (status, sane) = try session.exitReport(seconds: 10)
        #expect(status == 0)
        #expect(sane, "terminal left raw")
    }

    // MARK: - 8 colours (item 9)

    @Test("TERM=xterm (8 colours): borders are not drawn black",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(1)))
    func eightColorBordersShow() throws {
        let session = try shell()
        defer { session.close() }
        try session.type(commandLine(["--train-limit", "2000", "--epochs", "1000"], environment: "TERM=xterm"))
        _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && $0.contains("q quit") }
        let pid = try #require(try session.programPID(), "no mnist-tui process in the pane")
        defer { kill(pid, SIGKILL) }
        let styled = try session.run(["capture-pane", "-t", "e2e", "-p", "-e"])
        let line = try #require(styled.split(separator: "\n").first { $0.contains("Loss") && $0.contains("┌") },
                                "no Loss panel border")
        // The style in force at the panel's corner: the last SGR sequence before it.
        let corner = try #require(line.range(of: "┌"))
        let before = line[..<corner.lowerBound]
        let sgr = try #require(before.matches(of: /\u{1B}\[([0-9;]*)m/).last.map { String($0.1) },
                               "no colour before the border: \(line.debugDescription)")
        let parameters = sgr.split(separator: ";").map(String.init)
        #expect(!parameters.contains("30"), "border drawn black (SGR \(sgr)) on an 8-colour terminal")
        try session.send("q")
        let (status, _) = try session.exitReport(seconds: 10)
        #expect(status == 0)
    }
}

// MARK: - Helpers

/// The one-letter state in /proc/PID/status ("S", "R", "T" for stopped), nil once it is gone.
private func processState(_ pid: pid_t) -> String? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    return status.firstMatch(of: /State:\s+(\w)/).map { String($0.1) }
}

/// Whether SIGTSTP (20) is in the process's ignored set (SigIgn, bit 19 counting from 0).
private func tstpIgnored(_ pid: pid_t) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let mask = status.firstMatch(of: /SigIgn:\s+([0-9a-f]+)/).flatMap({ UInt64($0.1, radix: 16) }) else {
        return false
    }
    return mask & (1 << (UInt64(SIGTSTP) - 1)) != 0
}

extension TmuxSession {
    /// An interactive bash (job control on, prompt "$ ", no rc files, no history file) in a
    /// private tmux server: commands are typed into it as a person would.
    init(tmux: String, interactiveShellWidth width: Int, height: Int) throws {
        self.tmux = tmux
        try run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "\(width)", "-y", "\(height)",
                 "env", "PS1=$ ", "HISTFILE=/dev/null", "bash", "--norc", "--noprofile", "-i"],
                captureOutput: false)
        _ = try waitFor("the shell prompt", seconds: 10) { $0.hasPrefix("$") }
    }

    /// Types `text` literally, then Enter.
    func type(_ text: String) throws {
        try run(["send-keys", "-t", "e2e", "-l", text])
        try send("Enter")
    }

    /// After the program ended: its exit status and whether the tty is back in line mode with
    /// echo, both asked of the shell.
    func exitReport(seconds: Double = 30) throws -> (status: Int?, sane: Bool) {
        _ = try waitFor("the shell prompt after the program", seconds: seconds) {
            $0.split(separator: "\n").last?.hasPrefix("$") == true && !$0.contains("RUNNING")
        }
        try type("echo \"exit-$?\"")
        // The typed line reads "$ echo ...": only the shell's output starts a line with "exit-".
        let screen = try waitFor("the exit status", seconds: 10) { $0.firstMatch(of: /\nexit-\d+/) != nil }
        let status = screen.firstMatch(of: /\nexit-(\d+)/).flatMap { Int($0.1) }
        return (status, try ttyIsSane(marker: "final"))
    }

    /// Whether the tty is in line mode with echo, asked of the shell; `marker` tells this answer
    /// from earlier ones on the screen.
    func ttyIsSane(marker: String) throws -> Bool {
        try type("echo \"\(marker): $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')end\"")
        let screen = try waitFor("the tty modes (\(marker))", seconds: 10) { $0.contains("\n\(marker): ") }
        return screen.contains("\n\(marker): icanon echo end")
    }
}
