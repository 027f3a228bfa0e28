import Foundation
import Testing
@testable import App

/// --save / --resume through the real binary: a run saved after epoch 2 and resumed to epoch 4
/// prints the same epoch lines 3 and 4 as the unbroken run; bad checkpoints and contradicting flags
/// get one line naming the file or the flag.
@Suite(.serialized) struct CheckpointCLITests {
    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-ckpt-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The epoch lines without their seconds (the only part that may differ).
    private func epochLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("Epoch ") }
            .map { $0.replacing(/, \d+\.\d\d s$/, with: "") }
    }

    @Test("--save after 2 epochs, --resume to 4: epoch lines 3 and 4 equal the unbroken 4-epoch run's")
    func exactResume() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--headless", "--train-limit", "2000", "--threads", "1", "--seed", "3"]
        let unbroken = try Subprocess.run(try binary(), common + ["--epochs", "4"])
        #expect(unbroken.status == 0, "\(unbroken.stderr)")
        let first = try Subprocess.run(try binary(), common + ["--epochs", "2", "--save", dir + "/a.ckpt"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("checkpoint saved to \(dir)/a.ckpt (2 epochs done)"), "\(first.stderr)")
        let resumed = try Subprocess.run(try binary(), ["--headless", "--resume", dir + "/a.ckpt", "--epochs", "4"])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        let expected = Array(epochLines(unbroken.stdout).suffix(2))
        #expect(expected.count == 2 && expected[0].hasPrefix("Epoch 3/4, Loss: "))
        #expect(epochLines(resumed.stdout) == expected)
        #expect(resumed.stdout.split(separator: "\n").last == unbroken.stdout.split(separator: "\n").last)
    }

    @Test("flags that contradict the checkpoint, a finished checkpoint, bad files: one line each, status 1")
    func refusals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.ckpt"
        let saved = try Subprocess.run(try binary(), ["--headless", "--train-limit", "500", "--epochs", "1",
                                                      "--threads", "1", "--hidden", "32", "--save", path])
        #expect(saved.status == 0, "\(saved.stderr)")

        func refused(_ arguments: [String]) throws -> String {
            let result = try Subprocess.run(try binary(), ["--headless"] + arguments)
            #expect(result.status == 1, "\(arguments): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.isEmpty && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            return result.stderr
        }
        #expect(try refused(["--resume", path, "--epochs", "2", "--hidden", "64"])
            == "mnist-tui: --hidden 64 contradicts the checkpoint \(path), which has 32\n")
        #expect(try refused(["--resume", path, "--epochs", "2", "--batch-size", "100"])
            == "mnist-tui: --batch-size 100 contradicts the checkpoint \(path), which has 256\n")
        #expect(try refused(["--resume", path, "--epochs", "2", "--train-limit", "600"])
            .contains("--train-limit 600 contradicts the checkpoint"))
        #expect(try refused(["--resume", path]).contains("has already trained 1 of 1 epochs"))

        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/damaged.ckpt"))
        #expect(try refused(["--resume", dir + "/damaged.ckpt", "--epochs", "2"])
            == "mnist-tui: \(dir)/damaged.ckpt: checksum mismatch: the file is damaged\n")
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: dir + "/short.ckpt"))
        #expect(try refused(["--resume", dir + "/short.ckpt"]).contains("\(dir)/short.ckpt: the file is truncated"))
        #expect(try refused(["--resume", dir + "/missing.ckpt"])
            == "mnist-tui: \(dir)/missing.ckpt: cannot open it: No such file or directory\n")

        let inspect = try Subprocess.run(try binary(), ["--inspect-checkpoint", path])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("network: 784-32-10") && inspect.stdout.contains("position: 1 epoch done"), "\(inspect.stdout)")
    }
}

/// The checkpoint options' validation, in process.
@Suite struct CheckpointOptionTests {
    @Test func checkpointOptionsAreValidated() {
        #expect(parseError(["--checkpoint-every", "2"]) == "--checkpoint-every needs --save FILE (where to write)")
        #expect(parseError(["--checkpoint-every", "0", "--save", "a.ckpt"])?.contains("--checkpoint-every") == true)
        #expect(parseError(["--save", "/nonexistent-folder/a.ckpt"]) == "--save /nonexistent-folder/a.ckpt: folder /nonexistent-folder does not exist")
        #expect(parseError(["--save", "/tmp"]) == "--save /tmp: is a directory, not a file")
        #expect(parseError(["--save", "/tmp/"]) == "--save /tmp/: is a directory, not a file")
        // A folder that does not exist yet: refused before training, not when the run ends.
        #expect(parseError(["--save", "no-such-folder/"]) == "--save no-such-folder/: ends with /, so it names a folder, not a file")
        #expect(parseError(["--metrics", "no-such-folder/"]) == "--metrics no-such-folder/: ends with /, so it names a folder, not a file")
        #expect(parseError(["--epochs", "100000000000000"]) == "--epochs must be at most 1000000 (got 100000000000000)")
        #expect(parseError(["--save", "a.ckpt", "--checkpoint-every", "3", "--resume", "b.ckpt"]) == nil)
    }

    @Test func flagsNotGivenStayUnset() throws {
        let command = try MNISTTUICommand.parse(["--resume", "a.ckpt"])
        #expect(command.epochs == nil && command.batchSize == nil && command.hidden == nil && command.seed == nil)
        #expect(try command.trainingConfig().epochs == 20)
    }
}
