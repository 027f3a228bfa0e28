import Foundation
import Testing

/// The real binary in tmux under abuse (issue 3 acceptance 2, issue 4 acceptance 3, 4 and 6):
/// divergence and recovery, SIGHUP and crashes, a resize storm, a storm of random keys, and
/// pause/resume toggles that must not change the numbers. Each test is a few seconds on a debug build.
@Suite(.serialized) struct StressTmuxTests {
    private static let enabled = tmuxPath != nil || runningInCI

    /// A session of the binary, after checking both tmux and the binary are there.
    private func open(_ arguments: [String], width: Int = 120, height: Int = 40,
                      directory: String? = nil) throws -> TmuxSession {
        let tmux = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return try TmuxSession(tmux: tmux, binary: binaryPath, arguments: arguments, width: width, height: height,
                               directory: directory)
    }

    // MARK: - Divergence

    @Test("lr 500 in the dashboard: DIVERGED with batch and lr, still running; - lowers lr, p trains on",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(2)))
    func divergenceAndRecovery() throws {
        let session = try open(["--lr", "500", "--train-limit", "2000", "--epochs", "100", "--seed", "1"])
        defer { session.close() }

        var screen = try session.waitFor("DIVERGED") { $0.contains("DIVERGED") }
        let divergedLine = try #require(screen.split(separator: "\n").first { $0.contains("diverged at epoch") },
                                        "no divergence line: \(screen)")
        #expect(divergedLine.contains("batch ") && divergedLine.contains("lr 500"), "\(divergedLine)")
        #expect(divergedLine.contains("rolled back to epoch 1"), "\(divergedLine)")
        #expect(screen.contains("- lowers lr, p resumes"), "no hint on what to do: \(screen)")

        // It stays up and stays diverged (paused) while nobody touches it.
        Thread.sleep(forTimeInterval: 0.5)
        screen = try session.capture()
        #expect(screen.contains("DIVERGED"), "\(screen)")
        let pid = try #require(try session.programPID(), "the program ended after diverging")
        #expect(kill(pid, 0) == 0)

        // 500 / 2^12 ≈ 0.12: a sane rate. The screen shows it as "lr now".
        for _ in 0..<12 { try session.send("-") }
        screen = try session.waitFor("lr lowered to about 0.12") {
            guard let match = $0.firstMatch(of: /lr now (\d[0-9.]*)/), let lr = Double(match.1) else { return false }
            return lr < 0.2
        }
        try session.send("p")
        screen = try session.waitFor("training to go on after resume") {
            $0.contains("RUNNING") && (Screen.epoch($0) ?? 0) >= 2
        }
        let before = Screen.batch(screen)
        screen = try session.waitFor("the batch counter to move") {
            $0.contains("RUNNING") && Screen.batch($0) != nil && Screen.batch($0) != before
        }
        #expect(!screen.contains("DIVERGED") && !screen.contains("diverged at"), "diverged again: \(screen)")
        #expect(!screen.contains("nan") && !screen.contains("inf"), "non-finite figures: \(screen)")
        #expect((Screen.learningRate(screen) ?? 1) < 0.2, "\(screen)")

        try session.send("q")
        screen = try session.waitForExit()
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
        #expect(screen.contains("tty: icanon echo"), "terminal left raw: \(screen)")
    }

    // MARK: - Signals and crashes

    @Test("SIGHUP ends the dashboard within 2 s with 129, terminal restored, no backtrace",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(1)))
    func hangupEndsCleanly() throws {
        let session = try open(["--train-limit", "2000", "--epochs", "200"])
        defer { session.close() }
        _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
        let child = try #require(try session.programPID(), "no mnist-tui process in the pane")
        let sent = Date()
        kill(child, SIGHUP)
        let screen = try session.waitForExit(seconds: 10)
        #expect(Date().timeIntervalSince(sent) < 2.0, "took \(Date().timeIntervalSince(sent)) s to end")
        #expect(screen.contains("mnist-tui exit status 129"), "\(screen)")
        #expect(screen.contains("tty: icanon echo"), "SIGHUP left the terminal raw: \(screen)")
        #expect(try session.alternateScreen() == false, "the alternate screen was left on")
        #expect(!screen.contains("Backtrace") && !screen.contains("Fatal error") && !screen.contains("RUNNING"),
                "\(screen)")
    }

    @Test("a crash (SIGABRT, SIGSEGV) puts the terminal back and dies of the signal",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(1)))
    func crashRestoresTerminal() throws {
        for (signal, name) in [(SIGABRT, "SIGABRT"), (SIGSEGV, "SIGSEGV")] {
            let session = try open(["--train-limit", "2000", "--epochs", "200"])
            defer { session.close() }
            _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
            let child = try #require(try session.programPID(), "no mnist-tui process in the pane")
            kill(child, signal)
            let screen = try session.waitForExit(seconds: 10)
            #expect(screen.contains("mnist-tui exit status \(128 + signal)"), "\(name): \(screen)")
            #expect(screen.contains("tty: icanon echo"), "\(name) left the terminal raw: \(screen)")
            #expect(try session.alternateScreen() == false, "\(name) left the alternate screen on")
            #expect(!screen.contains("RUNNING") && !screen.contains("Confusion"), "dashboard left drawn: \(screen)")
        }
    }

    // MARK: - Resize storm

    @Test("a resize storm, then 30x8 says too small, then 120x40 is whole again; training never stalls",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(2)))
    func resizeStorm() throws {
        let session = try open(["--train-limit", "1000", "--epochs", "1000", "--seed", "3"])
        defer { session.close() }
        var screen = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.epoch($0) != nil }

        // Ten sizes from 30x8 to 200x60 within two seconds.
        let sizes = [(30, 8), (200, 60), (80, 24), (45, 12), (160, 50), (81, 25), (120, 40), (79, 23), (200, 8),
                     (30, 60)]
        // One every 0.18 s (no sleep when tmux itself was slower: a loaded machine stretches the
        // storm instead of failing on time).
        let stormStart = Date()
        for (index, (width, height)) in sizes.enumerated() {
            try session.resize(width: width, height: height)
            let next = stormStart.addingTimeInterval(0.18 * Double(index + 1))
            Thread.sleep(forTimeInterval: max(0, next.timeIntervalSinceNow))
        }

        try session.resize(width: 30, height: 8)
        screen = try session.waitFor("the too-small message") {
            $0.contains("too small") && $0.contains("80x24") && Screen.epoch($0) != nil
        }
        #expect(try session.programPID() != nil, "the program died in the storm: \(screen)")
        let smallEpoch = try #require(Screen.epoch(screen))
        // Training goes on while the screen is too small.
        screen = try session.waitFor("the epoch to move while too small", seconds: 30) {
            (Screen.epoch($0) ?? 0) > smallEpoch
        }

        try session.resize(width: 120, height: 40)
        screen = try session.waitFor("the full dashboard back") {
            $0.contains("RUNNING") && $0.contains("Loss") && $0.contains("Accuracy") && $0.contains("Confusion")
                && !$0.contains("too small")
        }
        // Progress is the (epoch, batch) pair: with 4 batches an epoch the screen mostly shows
        // "batch 4/4" while the test set is evaluated, so the batch alone can look still.
        let (epoch, batch) = (Screen.epoch(screen), Screen.batch(screen))
        _ = try session.waitFor("training to move on after the storm") {
            Screen.batch($0) != nil && (Screen.epoch($0) != epoch || Screen.batch($0) != batch)
        }
        try session.send("q")
        screen = try session.waitForExit()
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
        #expect(screen.contains("tty: icanon echo"), "terminal left raw: \(screen)")
    }

    // MARK: - Random keys

    @Test("a thousand random keys while training: no crash, toggles still sane, q exits 0",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(2)))
    func randomKeys() throws {
        // In a folder of its own: `s` saves mnist-tui.ckpt in the working directory.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-keys-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let session = try open(["--train-limit", "2000", "--epochs", "1000", "--seed", "5"], directory: folder.path)
        defer { session.close() }
        _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
        _ = try session.waitFor("the first evaluation") { (Screen.epoch($0) ?? 0) >= 2 }

        var generator = SplitMix64(seed: 20_261_127)
        let keys = RandomKeys.sequence(count: 1000, using: &generator)
        // Fifty keys per send-keys: a storm, yet every key is a separate keystroke.
        for chunk in stride(from: 0, to: keys.count, by: 50) {
            try session.send(keys: Array(keys[chunk..<min(chunk + 50, keys.count)]))
        }
        #expect(try session.programPID() != nil, "the program died in the key storm")

        // Back to the plain view: any key closes the help, Escape closes the browser and the focus.
        for key in ["Escape", "Escape", "Escape"] {
            try session.send(key)
            Thread.sleep(forTimeInterval: 0.1)
        }
        var screen = try session.waitFor("the plain dashboard") {
            $0.contains("Loss") && $0.contains("Confusion") && !$0.contains("predicted") && $0.contains("? help")
        }
        // The help toggles: ? opens it, any key closes it.
        try session.send("?")
        screen = try session.waitFor("the help overlay") { $0.contains("Keys") && $0.contains("┌ Keys") }
        try session.send("Escape")
        screen = try session.waitFor("the help closed") { !$0.contains("┌ Keys") }
        // Pause and resume still work whatever state the storm left (the lr may have run away and
        // diverged the run: then p resumes; that is fine, it must still answer).
        if screen.contains("RUNNING") {
            try session.send("p")
            screen = try session.waitFor("PAUSED after the storm") { $0.contains("PAUSED") }
        }
        #expect(!screen.contains("RUNNING"))
        try session.send("q")
        screen = try session.waitForExit()
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
        #expect(screen.contains("tty: icanon echo"), "terminal left raw: \(screen)")
        #expect(try session.alternateScreen() == false)
    }

    // MARK: - Pause/resume leaves the numbers alone

    @Test("twenty pause/resume toggles: epoch figures bit-identical to a headless run with the same seed",
          .enabled(if: enabled, "tmux is not installed"), .timeLimit(.minutes(2)))
    func pauseResumeIsExact() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-toggle-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Long enough (a few seconds even on a fast machine) for the toggles to land mid-run.
        let run = ["--train-limit", "3000", "--epochs", "6", "--batch-size", "16", "--seed", "11", "--threads", "1"]

        let headlessFile = folder.appendingPathComponent("headless.jsonl").path
        let headless = try Subprocess.run(binaryPath, run + ["--headless", "--metrics", headlessFile])
        #expect(headless.status == 0, "\(headless.stderr)")

        let dashboardFile = folder.appendingPathComponent("dashboard.jsonl").path
        let session = try open(run + ["--metrics", dashboardFile])
        defer { session.close() }
        _ = try session.waitFor("dashboard running") { $0.contains("RUNNING") && Screen.batch($0) != nil }
        var pausesSeen = 0
        for toggle in 0..<20 {
            try session.send("p")
            if toggle.isMultiple(of: 2) {
                if (try? session.waitFor("PAUSED", seconds: 0.5) { $0.contains("PAUSED") }) != nil { pausesSeen += 1 }
            } else {
                Thread.sleep(forTimeInterval: 0.03)
            }
        }
        let afterToggles = try session.capture()
        #expect(!afterToggles.contains("DONE"), "the run ended before the toggles did; make it longer")
        #expect(pausesSeen >= 5, "only \(pausesSeen) of 10 pauses showed")
        var screen = try session.waitFor("the run to finish", seconds: 90) { $0.contains("DONE") }
        try session.send("q")
        screen = try session.waitForExit()
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")

        let expected = try EpochFigures.read(headlessFile)
        let actual = try EpochFigures.read(dashboardFile)
        #expect(expected.count == 6)
        #expect(actual == expected)
    }
}

// MARK: - Helpers

extension TmuxSession {
    /// Waits for the pane's report after the program ended: its exit status and the tty modes
    /// (the second line, so waiting for the first alone races with it).
    func waitForExit(seconds: Double = 60) throws -> String {
        try waitFor("the program to exit", seconds: seconds) {
            $0.contains("mnist-tui exit status") && $0.contains("tty:")
        }
    }

    /// Resizes the window (tmux then sends the program SIGWINCH).
    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", "e2e", "-x", "\(width)", "-y", "\(height)"])
    }

    /// Sends several keys in one tmux command (each a key name or a character).
    func send(keys: [String]) throws {
        try run(["send-keys", "-t", "e2e", "--"] + keys)
    }

    /// Whether the pane is on the alternate screen (a TUI left it on if so after exit).
    func alternateScreen() throws -> Bool {
        try run(["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
}

/// The random keystrokes of the key storm: the dashboard's whole vocabulary but `q` and `Q`.
enum RandomKeys {
    static let special = ["Up", "Down", "Left", "Right", "Enter", "Escape", "Tab", "BSpace", "Home", "End",
                          "PPage", "NPage", "Space"]
    static let commands = ["+", "-", "=", "_", "p", "m", "L", "?", "s", "c", "h", "l", " "]
    static let letters = "abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789".map(String.init)

    static func sequence(count: Int, using generator: inout SplitMix64) -> [String] {
        let pools = [special, commands, letters]
        return (0..<count).map { _ in
            let pool = pools[Int(generator.next() % UInt64(pools.count))]
            return pool[Int(generator.next() % UInt64(pool.count))]
        }
    }
}

/// A tiny deterministic generator, so a failing storm can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The `--metrics` epoch lines' figures that must not depend on pausing (train_seconds may).
struct EpochFigures: Equatable, CustomStringConvertible {
    var epoch: Int
    var trainLoss: String
    var testLoss: String
    var testAccuracy: String
    var trainAccuracy: String

    var description: String { "epoch \(epoch): \(trainLoss) \(trainAccuracy) \(testLoss) \(testAccuracy)" }

    /// The epoch lines of a metrics file, figures kept as the text written (exact comparison).
    static func read(_ path: String) throws -> [EpochFigures] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").filter { $0.contains("\"type\":\"epoch\"") }.map { line in
            func field(_ name: String) -> String {
                guard let range = line.range(of: "\"\(name)\":") else { return "?" }
                return String(line[range.upperBound...].prefix { $0 != "," && $0 != "}" })
            }
            return EpochFigures(epoch: Int(field("epoch")) ?? 0, trainLoss: field("train_loss"),
                                testLoss: field("test_loss"), testAccuracy: field("test_accuracy"),
                                trainAccuracy: field("train_accuracy"))
        }
    }
}
