import Foundation
import Testing

/// The inside-the-network views in the real binary, at 80x24 (issue 10, acceptance 3): the forward
/// pass follows training, the canvas draws from the keyboard, the weights view pages.
@Suite(.serialized) struct InspectionTmuxTests {
    @Test("f shows the logits and the loss and follows training; d draws and predicts; u shows the weights; q exits 0",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func viewsWhileTraining() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        let session = try TmuxSession(tmux: tmuxPath, binary: binaryPath,
                                      arguments: ["--train-limit", "2000", "--epochs", "200", "--hidden", "64", "--seed", "1"],
                                      width: 80, height: 24)
        defer { session.close() }
        _ = try session.waitFor("the first epoch to finish") { (Screen.epoch($0) ?? 0) >= 2 && $0.contains("q quit") }

        // f: a test digit's forward pass, with weights that move on as training does.
        try session.send("f")
        var screen = try session.waitFor("the forward pass") {
            $0.contains("logits") && $0.contains("loss = -log p(") && Self.weightsStep($0) != nil
        }
        #expect(screen.contains("Forward pass · test #0"))
        #expect(screen.contains("/64 on"))
        let firstStep = try #require(Self.weightsStep(screen))
        screen = try session.waitFor("newer weights") { (Self.weightsStep($0) ?? 0) > firstStep }

        // / 5 Enter: test digit #5.
        for key in ["/", "5", "Enter"] { try session.send(key) }
        screen = try session.waitFor("test digit #5") { $0.contains("Forward pass · test #5") }

        // d: the pen down, a stroke, the prediction.
        try session.send("d")
        for key in ["Space", "Down", "Down", "Down", "Down", "Down", "Space"] { try session.send(key) }
        // Not "prediction " alone: the empty canvas's hint ("the prediction follows") has it too,
        // and matching that raced the stroke's keys (a CI run failed so, the canvas still empty).
        screen = try session.waitFor("a prediction") { $0.contains("Draw") && $0.contains("model sees") }
        #expect(!screen.contains("the prediction follows"), "the stroke drew nothing")

        // u: the first page of hidden units, then the next.
        try session.send("u")
        screen = try session.waitFor("the weights view") { $0.contains("units 0-7 of 64") }
        try session.send("Right")
        screen = try session.waitFor("the next page") { $0.contains("units 8-15 of 64") }

        try session.send("Escape")
        try session.send("q")
        screen = try session.waitFor("the exit status") { $0.contains("mnist-tui exit status") }
        #expect(screen.contains("mnist-tui exit status 0"))
    }

    /// N in "weights of step N" on the panel's border.
    static func weightsStep(_ screen: String) -> Int? {
        guard let range = screen.range(of: "weights of step ") else { return nil }
        return Int(screen[range.upperBound...].prefix { $0.isNumber })
    }
}
