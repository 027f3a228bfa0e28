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

    @Test("flags that contradict the checkpoint or leave nothing to do: one line, status 64; bad files: status 1")
    func refusals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/a.ckpt"
        let saved = try Subprocess.run(try binary(), ["--headless", "--train-limit", "500", "--epochs", "1",
                                                      "--threads", "1", "--hidden", "32", "--save", path])
        #expect(saved.status == 0, "\(saved.stderr)")

        func refused(_ arguments: [String], status: Int32 = 64) throws -> String {
            let result = try Subprocess.run(try binary(), ["--headless"] + arguments)
            #expect(result.status == status, "\(arguments): \(result.stdout)\(result.stderr)")
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
        #expect(try refused(["--resume", path, "--epochs", "2", "--optimizer", "adam"])
            == "mnist-tui: --optimizer adam contradicts the checkpoint \(path), which has sgd\n")

        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/damaged.ckpt"))
        #expect(try refused(["--resume", dir + "/damaged.ckpt", "--epochs", "2"], status: 1)
            == "mnist-tui: \(dir)/damaged.ckpt: checksum mismatch: the file is damaged\n")
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: dir + "/short.ckpt"))
        #expect(try refused(["--resume", dir + "/short.ckpt"], status: 1).contains("\(dir)/short.ckpt: the file is truncated"))
        #expect(try refused(["--resume", dir + "/missing.ckpt"], status: 1)
            == "mnist-tui: \(dir)/missing.ckpt: cannot open it: No such file or directory\n")

        let inspect = try Subprocess.run(try binary(), ["--inspect-checkpoint", path])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("network: 784-32-10") && inspect.stdout.contains("position: 1 epoch done"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("\noptimizer: sgd, momentum 0.0, weight decay 0.0, step 2, no state\n"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains(/\nparameters: fingerprint [0-9a-f]{16} \(FNV-1a 64 over the 25450 parameters' bit patterns\)\n/),
                "\(inspect.stdout)")
    }

    @Test("--optimizer adam: saved with its state, inspected, resumed exactly")
    func adamThroughTheCommandLine() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--headless", "--train-limit", "1000", "--threads", "1", "--hidden", "32", "--optimizer", "adamw"]
        let unbroken = try Subprocess.run(try binary(), common + ["--epochs", "3", "--save", dir + "/u.ckpt"])
        #expect(unbroken.status == 0, "\(unbroken.stderr)")
        let first = try Subprocess.run(try binary(), common + ["--epochs", "1", "--save", dir + "/a.ckpt"])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try Subprocess.run(try binary(), ["--headless", "--resume", dir + "/a.ckpt", "--epochs", "3",
                                                        "--save", dir + "/r.ckpt"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(epochLines(resumed.stdout) == Array(epochLines(unbroken.stdout).suffix(2)))
        let inspectUnbroken = try Subprocess.run(try binary(), ["--inspect-checkpoint", dir + "/u.ckpt"])
        let inspectResumed = try Subprocess.run(try binary(), ["--inspect-checkpoint", dir + "/r.ckpt"])
        func line(_ prefix: String, _ text: String) -> String? {
            text.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) }
        }
        #expect(line("optimizer:", inspectUnbroken.stdout)
            == "optimizer: adamw, weight decay 0.01, betas 0.9/0.999, eps 1e-08, step 12, state m, v")
        #expect(line("options:", inspectUnbroken.stdout)?.contains("--optimizer adamw --lr 0.001 --weight-decay 0.01") == true)
        let fingerprint = try #require(line("parameters:", inspectUnbroken.stdout))
        #expect(line("parameters:", inspectResumed.stdout) == fingerprint)
        // --momentum does not belong to Adam, on a fresh run or a resumed one.
        let momentum = try Subprocess.run(try binary(), ["--headless", "--resume", dir + "/a.ckpt", "--epochs", "3",
                                                         "--momentum", "0.9"])
        #expect(momentum.status == 64 && momentum.stderr.contains("--momentum 0.9 contradicts the checkpoint"), "\(momentum.stderr)")
    }

    @Test("a --data folder named with a tab, newline and ESC: its checkpoint inspects and resumes (issue 13)")
    func controlCharactersInDataFolder() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = dir + "/mnist\tcopy\nwith \u{1B}[31mescape"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/mnist").path
        for file in try FileManager.default.contentsOfDirectory(atPath: assets) {
            try FileManager.default.createSymbolicLink(atPath: data + "/" + file, withDestinationPath: assets + "/" + file)
        }
        let path = dir + "/odd.ckpt"
        let saved = try Subprocess.run(try binary(), ["--headless", "--data", data, "--train-limit", "500", "--epochs", "1",
                                                      "--threads", "1", "--hidden", "16", "--save", path])
        #expect(saved.status == 0, "\(saved.stderr)")
        let inspect = try Subprocess.run(try binary(), ["--inspect-checkpoint", path])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("dataset: \"mnist\\tcopy\\nwith \\u{1B}[31mescape\" (500 train"), "\(inspect.stdout)")
        #expect(!inspect.stdout.contains("\u{1B}") && !inspect.stdout.contains("\t"))
        let resumed = try Subprocess.run(try binary(), ["--headless", "--resume", path, "--data", data, "--epochs", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(epochLines(resumed.stdout).first?.hasPrefix("Epoch 2/2, Loss: ") == true, "\(resumed.stdout)")
    }

    @Test("a format-1 checkpoint of the old release is inspected with its version and fingerprint")
    func inspectsFormatOne() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EngineTests/Fixtures/v1-momentum.ckpt").path
        let inspect = try Subprocess.run(try binary(), ["--inspect-checkpoint", fixture])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("format version 1\n"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("\noptimizer: sgd, momentum 0.9, weight decay 0.001, step 16, state velocity\n"))
        #expect(inspect.stdout.contains("\nparameters: fingerprint 5be21114367be13c "), "\(inspect.stdout)")
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
