import Foundation
import Testing

/// `mnist-tui evaluate` in a terminal, driven in tmux: the dashboard on a model with nothing
/// training: its accuracy and matrix, the misclassified browser, steering keys that say read-only.
@Suite(.serialized) struct EvaluateTmuxTests {
    @Test("evaluate in tmux: DONE with the model's accuracy, p says read-only, m browses, q exits 0",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func evaluateDashboard() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-evaluate-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.safetensors"
        let run = try Subprocess.run(binaryPath, ["--headless", "--epochs", "1", "--train-limit", "600", "--threads", "1",
                                                  "--export", model])
        #expect(run.status == 0, "\(run.stderr)")
        let accuracy = try #require(run.stdout.firstMatch(of: /Accuracy on test set: (\d+\.\d\d%)/)?.1)

        let session = try TmuxSession(tmux: tmuxPath, binary: binaryPath, arguments: ["evaluate", model, "--threads", "1"])
        defer { session.close() }
        var screen = try session.waitFor("the evaluation's dashboard") { $0.contains("DONE") && $0.contains("recall") }
        #expect(screen.contains("test \(accuracy)"), "\(screen)")
        #expect(screen.contains("Confusion"))
        try session.send("p")
        screen = try session.waitFor("the read-only notice") { $0.contains("read-only") }
        try session.send("m")
        screen = try session.waitFor("the misclassified browser") { $0.contains("Misclassified · 1 of ") }
        try session.send("q")
        screen = try session.waitFor("the exit") { $0.contains("mnist-tui exit status") }
        #expect(screen.contains("mnist-tui exit status 0"), "\(screen)")
    }
}
