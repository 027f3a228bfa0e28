import Foundation
import Testing

// MARK: - Environment

/// Where tmux is, if installed.
let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// CI installs tmux, so there a missing tmux is a failure, not a skip.
let runningInCI = ProcessInfo.processInfo.environment["CI"] == "true"

/// The binary under test: $MNIST_TUI_BINARY, or the package's debug build (the test command
/// runs `swift build` before `swift test`).
let binaryPath: String = {
    if let path = ProcessInfo.processInfo.environment["MNIST_TUI_BINARY"] { return path }
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/mnist-tui").path
}()

// MARK: - Test

/// Drives the real binary in tmux as a person would (issue 3, acceptance 1): pause, resume, lr up,
/// the misclassified browser, quit with status 0 and a restored terminal.
@Suite(.serialized) struct EndToEndTmuxTests {
    @Test("dashboard in tmux: p pauses, p resumes, + raises lr, m browses, Right moves, q exits 0",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func dashboardSession() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        let session = try TmuxSession(tmux: tmuxPath, binary: binaryPath,
                                      arguments: ["--train-limit", "2000", "--epochs", "200", "--seed", "1"])
        defer { session.close() }

        // The dashboard comes up and trains. Waiting for the keys line (drawn last) too: under load a
        // capture can catch the first frame half written, status line only.
        var screen = try session.waitFor("dashboard running") {
            Screen.batch($0) != nil && $0.contains("RUNNING") && $0.contains("q quit")
        }
        #expect(screen.contains("Loss"))
        #expect(screen.contains("Accuracy"))
        #expect(screen.contains("Confusion"))

        // p: PAUSED, and the batch counter stops.
        try session.send("p")
        screen = try session.waitFor("PAUSED") { $0.contains("PAUSED") }
        let pausedAt = Screen.batch(screen)
        Thread.sleep(forTimeInterval: 1.0)
        screen = try session.capture()
        #expect(screen.contains("PAUSED"))
        #expect(Screen.batch(screen) == pausedAt, "the batch counter moved while paused")

        // p again: RUNNING, and the counter moves.
        try session.send("p")
        screen = try session.waitFor("RUNNING after resume") { $0.contains("RUNNING") }
        _ = try session.waitFor("the batch counter to move") { Screen.batch($0) != nil && Screen.batch($0) != pausedAt }

        // +: the shown lr goes up.
        let lrBefore = try #require(Screen.learningRate(try session.capture()), "no lr on screen")
        try session.send("+")
        screen = try session.waitFor("a higher lr") { (Screen.learningRate($0) ?? 0) > lrBefore }

        // After the first evaluation, m shows a misclassified digit; Right shows another.
        _ = try session.waitFor("the first epoch to finish") { (Screen.epoch($0) ?? 0) >= 2 }
        try session.send("m")
        screen = try session.waitFor("the misclassified browser") {
            $0.contains("label") && $0.contains("predicted") && Screen.testImage($0) != nil
        }
        let firstDigit = Screen.testImage(screen)
        try session.send("Right")
        screen = try session.waitFor("another misclassified digit") {
            Screen.testImage($0) != nil && Screen.testImage($0) != firstDigit
        }
        try session.send("Escape")

        // q: exit status 0, the shell's screen back, line mode and echo restored.
        try session.send("q")
        screen = try session.waitForExit()
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
        #expect(screen.contains("tty: icanon echo"), "terminal left raw: \(screen)")
        #expect(!screen.contains("RUNNING") && !screen.contains("Confusion"), "dashboard left on screen: \(screen)")
    }
}

extension EndToEndTmuxTests {
    @Test("Ctrl-C and SIGTERM end the dashboard with 130 and 143, terminal restored",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(2)))
    func signalsEndCleanly() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        for (how, status) in [("C-c", 130), ("SIGTERM", 143)] {
            let session = try TmuxSession(tmux: tmuxPath, binary: binaryPath,
                                          arguments: ["--train-limit", "2000", "--epochs", "200"])
            defer { session.close() }
            _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
            if how == "C-c" {
                try session.send("C-c")
            } else {
                let child = try #require(try session.programPID(), "no mnist-tui process in the pane")
                kill(child, SIGTERM)
            }
            let screen = try session.waitForExit(seconds: 10)
            #expect(screen.contains("mnist-tui exit status \(status)"), "\(how): \(screen)")
            #expect(screen.contains("tty: icanon echo"), "\(how) left the terminal raw: \(screen)")
            #expect(!screen.contains("Traceback") && !screen.contains("Backtrace") && !screen.contains("Fatal error"),
                    "\(how): \(screen)")
        }
    }
}

// MARK: - Reading the screen

/// Values read back from `capture-pane -p` text.
enum Screen {
    /// "batch B/M" -> B/M as text (what a person sees move).
    static func batch(_ text: String) -> String? {
        text.firstMatch(of: /batch (\d+\/\d+)/).map { String($0.1) }
    }

    /// "epoch E/N" -> E.
    static func epoch(_ text: String) -> Int? {
        text.firstMatch(of: /epoch (\d+)\/\d+/).flatMap { Int($0.1) }
    }

    /// "lr 0.2" -> 0.2 (the status bar's value, not the keys line's "lr ×2").
    static func learningRate(_ text: String) -> Double? {
        text.firstMatch(of: /\blr (?:now )?(\d[0-9.]*(?:e[+-]?\d+)?)/).flatMap { Double($0.1) }
    }

    /// "test image #123" -> 123 (which digit the browser shows).
    static func testImage(_ text: String) -> Int? {
        text.firstMatch(of: /test image\s+#(\d+)/).flatMap { Int($0.1) }
    }
}

// MARK: - tmux

/// One private tmux server (`-L`) running the binary in a window (120x40 unless told), then reporting
/// its exit status and the terminal's mode in the same pane so both can be read after it quits.
struct TmuxSession {
    let tmux: String
    let server = "mnist-tui-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `directory`: the program's working directory (where `s` saves `mnist-tui.ckpt` without
    /// `--save`); the test process's own when nil.
    init(tmux: String, binary: String, arguments: [String], width: Int = 120, height: Int = 40,
         directory: String? = nil) throws {
        self.tmux = tmux
        let quoted = ([binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        // `trap : INT`: the shell survives Ctrl-C (as an interactive one does) to report the status.
        let script = "trap : INT; LANG=C.UTF-8 LC_ALL=C.UTF-8 SWIFT_BACKTRACE=enable=no \(quoted); "
            + "echo \"mnist-tui exit status $?\"; "
            + "echo \"tty: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\"; "
            + "sleep 300"
        // Not captured: the server this starts inherits the output descriptors and keeps them open.
        let start = directory.map { ["-c", $0] } ?? []
        try run(["-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "\(width)", "-y", "\(height)"] + start
                + ["sh", "-c", script], captureOutput: false)
    }

    func send(_ key: String) throws {
        try run(["send-keys", "-t", "e2e", key])
    }

    func capture() throws -> String {
        try run(["capture-pane", "-t", "e2e", "-p"])
    }

    /// Polls the screen until `condition` holds; throws with the last screen after `seconds`.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "timed out after \(seconds) s waiting for \(what); screen:\n\(screen)")
    }

    /// The mnist-tui process: the child of the pane's shell.
    func programPID() throws -> pid_t? {
        let shell = try run(["display-message", "-p", "-t", "e2e", "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return children.split(separator: " ").first.flatMap { pid_t($0) }
    }

    func close() {
        _ = try? run(["kill-server"])
    }

    /// Runs a tmux command against this session's server; its stdout.
    @discardableResult
    func run(_ arguments: [String], captureOutput: Bool = true) throws -> String {
        // Not Foundation's Process: `new-session` leaves a server behind that inherits the
        // client's descriptors (a pipe would never reach EOF), and Process.waitUntilExit was seen
        // never to return for the exited client inside the test runner.
        try Subprocess.run(tmux, ["-L", server] + arguments, captureOutput: captureOutput).stdout
    }
}

// MARK: - Processes

#if canImport(Darwin)
private typealias SpawnActions = posix_spawn_file_actions_t?
private typealias SpawnAttributes = posix_spawnattr_t?
#else
private typealias SpawnActions = posix_spawn_file_actions_t
private typealias SpawnAttributes = posix_spawnattr_t
#endif

/// Runs a program to completion with posix_spawn + waitpid; output goes through temporary files.
enum Subprocess {
    struct Result {
        /// Exit status, or 128 + signal if it died of one.
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                    captureOutput: Bool = true) throws -> Result {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("mnist-tui-test-\(getpid())-\(UUID().uuidString)").path
        let outPath = captureOutput ? base + ".out" : "/dev/null"
        let errPath = captureOutput ? base + ".err" : "/dev/null"
        defer { if captureOutput { unlink(outPath); unlink(errPath) } }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var actions = SpawnActions()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        // The child starts with no blocked signals and default actions: the test runner's threads
        // block some, and a tmux server inheriting a blocked SIGTERM ignores its own kill-server.
        var attributes = SpawnAttributes()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw TmuxSession.Failure(description: "cannot run \(path): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7F
        let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        func read(_ file: String) -> String {
            captureOutput ? ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "") : ""
        }
        return Result(status: code, stdout: read(outPath), stderr: read(errPath))
    }
}
