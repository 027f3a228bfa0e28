import Foundation
import Testing

/// `mnist-tui watch` as a new user would try it (issue 11, acceptance 3): a headless run in the
/// background writing --metrics, watch on its file in tmux; Ctrl-C in watch leaves the run going;
/// watch follows the file to DONE and shows an appended garbage line as skipped.
@Suite(.serialized) struct WatchTmuxTests {
    @Test("watch follows a background run: waiting, Ctrl-C leaves the run going, DONE, a garbage line skipped",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func watchBackgroundRun() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-watch-e2e-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/run.jsonl"

        // watch first: the file does not exist yet.
        var session = try TmuxSession(tmux: tmuxPath, binary: binaryPath, arguments: ["watch", file], directory: dir)
        defer { session.close() }
        _ = try session.waitFor("watch waiting for the file") { $0.contains("WAITING") && $0.contains("waiting for the file to appear") }

        // The run, in the background, its own process group (as `cmd &` from a shell script).
        let started = try Subprocess.run("/bin/sh", ["-c", "cd \"$1\" && { \"$2\" --headless --train-limit 2000 --epochs 8 --threads 1 "
                                                     + "--metrics run.jsonl > out.txt 2> err.txt & echo $!; }", "sh", dir, binaryPath])
        let pid = try #require(pid_t(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(started)")
        defer { kill(pid, SIGKILL) }  // only if the test failed midway: the run ends by itself
        _ = try session.waitFor("watch following the run") { ($0.contains("following") || $0.contains("RUNNING")) && (Screen.epoch($0) ?? 0) >= 1 && $0.contains("MNIST") }

        // Ctrl-C ends watch (130), and the run goes on.
        try session.send("C-c")
        let ended = try session.waitForExit(seconds: 10)
        #expect(ended.contains("mnist-tui exit status 130"), "\(ended)")
        #expect(ended.contains("tty: icanon echo"), "terminal left raw: \(ended)")
        #expect(kill(pid, 0) == 0, "the watched run ended with watch")
        session.close()

        // Watch again: it reads the file from the start and follows it to DONE.
        session = try TmuxSession(tmux: tmuxPath, binary: binaryPath, arguments: ["watch", file], directory: dir)
        var screen = try session.waitFor("DONE", seconds: 120) { $0.contains(" DONE ") && $0.contains("epoch 8/8") }
        #expect(screen.contains("Confusion") && screen.contains("Digits"))
        let output = try String(contentsOfFile: "\(dir)/out.txt", encoding: .utf8)
        #expect(output.contains("Accuracy on test set:"), "the run did not finish: \(output)")

        // A garbage line appended: counted and named by its line number.
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("this is not json\n".utf8))
        try handle.close()
        screen = try session.waitFor("the garbage line shown as skipped") { $0.contains("line \(lines + 1)") && $0.contains("skipped") }
        try session.send("q")
        screen = try session.waitForExit(seconds: 10)
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
    }
}
