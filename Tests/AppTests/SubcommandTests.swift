// The command line's conventions (issue 11): subcommands with training as the default, so every
// older command line still works; --version; `inspect` beside the old --inspect-checkpoint.
import ArgumentParser
import Foundation
import MNISTData
import Testing
@testable import App

@Suite struct SubcommandParsingTests {
    @Test("no subcommand parses as train, with the same options; train, inspect and evaluate by name")
    func defaultIsTrain() throws {
        let bare = try MNISTTUI.parseAsRoot(["--headless", "--epochs", "1", "--train-limit", "600"])
        let train = try #require(bare as? MNISTTUICommand)
        #expect(train.screen.headless && train.epochs == 1 && train.trainLimit == 600)
        let named = try #require(try MNISTTUI.parseAsRoot(["train", "--epochs", "3"]) as? MNISTTUICommand)
        #expect(named.epochs == 3)
        let inspect = try #require(try MNISTTUI.parseAsRoot(["inspect", "run.ckpt"]) as? InspectCommand)
        #expect(inspect.file == "run.ckpt")
        let evaluate = try #require(try MNISTTUI.parseAsRoot(["evaluate", "m.safetensors", "--headless"]) as? EvaluateCommand)
        #expect(evaluate.file == "m.safetensors" && evaluate.screen.headless)
    }

    @Test("--no-mouse is taken by every command that opens the dashboard: train, evaluate and watch")
    func noMouse() throws {
        let train = try #require(try MNISTTUI.parseAsRoot(["--no-mouse"]) as? MNISTTUICommand)
        #expect(train.screen.noMouse)
        let evaluate = try #require(try MNISTTUI.parseAsRoot(["evaluate", "m.safetensors", "--no-mouse"]) as? EvaluateCommand)
        #expect(evaluate.screen.noMouse)
        let watch = try #require(try MNISTTUI.parseAsRoot(["watch", "run.jsonl", "--no-mouse"]) as? WatchCommand)
        #expect(watch.noMouse)
        let plain = try #require(try MNISTTUI.parseAsRoot(["watch", "run.jsonl"]) as? WatchCommand)
        #expect(!plain.noMouse)
    }

    @Test("--version: the one version constant, a clean exit")
    func version() {
        do {
            _ = try MNISTTUI.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(MNISTTUI.message(for: error) == ProgramVersion.text)
            #expect(MNISTTUI.exitCode(for: error) == .success)
        }
        #expect(ProgramVersion.text == "mnist-tui \(ProgramVersion.number)")
    }

    @Test("file and folder options complete paths in the generated shell scripts")
    func pathCompletion() {
        let bash = MNISTTUI.completionScript(for: .bash).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        /// The completion call bash makes for `option`'s value (the line after its case label).
        func bashCompletion(_ option: String) -> String? {
            bash.firstIndex(of: "'\(option)')").map { bash[$0 + 1] }
        }
        for option in ["--save", "--resume", "--metrics", "--inspect-checkpoint"] {
            #expect(bashCompletion(option) == "__mnist-tui_add_completions -f", "\(option)")
        }
        #expect(bashCompletion("--export")?.contains("safetensors") == true)
        #expect(bashCompletion("--data") == "__mnist-tui_add_completions -d")
        #expect(bashCompletion("--tensorboard") == "__mnist-tui_add_completions -d")
        let zsh = MNISTTUI.completionScript(for: .zsh)
        for option in ["--save", "--resume", "--metrics", "--export"] {
            #expect(zsh.contains("\(option)[") && zsh.contains("_files"), "\(option)")
        }
        #expect(zsh.contains("--tensorboard") && zsh.contains("_files -/"))
    }
}

/// The real binary: old command lines, --version, inspect.
@Suite(.serialized) struct SubcommandBinaryTests {
    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    /// Stdout without the seconds at the end of each epoch line (they vary run to run).
    private func untimed(_ stdout: String) -> [String] {
        stdout.split(separator: "\n").map { String($0).replacing(/, \d+\.\d\d s$/, with: "") }
    }

    @Test("an old command line trains as before, and `train` with it prints the same lines")
    func oldCommandLineTrains() throws {
        let options = ["--headless", "--epochs", "1", "--train-limit", "600", "--threads", "1"]
        let old = try Subprocess.run(try binary(), options)
        #expect(old.status == 0, "\(old.stderr)")
        let lines = untimed(old.stdout)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.wholeMatch(of: /Epoch 1\/1, Loss: \d+\.\d{4}, Train accuracy: \d+\.\d\d%, Test accuracy: \d+\.\d\d%/) != nil,
                "\(lines)")
        let named = try Subprocess.run(try binary(), ["train"] + options)
        #expect(named.status == 0 && untimed(named.stdout) == lines, "\(named.stdout)\(named.stderr)")
    }

    @Test("--version prints the version and exits 0")
    func version() throws {
        let result = try Subprocess.run(try binary(), ["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == ProgramVersion.text + "\n")
    }

    @Test("inspect FILE prints what --inspect-checkpoint FILE prints; an unreadable file is one line, status 1")
    func inspect() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-inspect-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = folder + "/run.ckpt"
        let run = try Subprocess.run(try binary(), ["--headless", "--epochs", "1", "--train-limit", "600", "--threads", "1",
                                                    "--save", checkpoint])
        #expect(run.status == 0, "\(run.stderr)")
        let inspected = try Subprocess.run(try binary(), ["inspect", checkpoint])
        #expect(inspected.status == 0, "\(inspected.stderr)")
        #expect(inspected.stdout.hasPrefix("\(checkpoint): mnist-tui checkpoint, format version "))
        #expect(inspected.stdout.contains("network: 784-512-256-10"))
        let alias = try Subprocess.run(try binary(), ["--inspect-checkpoint", checkpoint])
        #expect(alias.status == 0 && alias.stdout == inspected.stdout)

        let missing = try Subprocess.run(try binary(), ["inspect", folder + "/none.ckpt"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr == "mnist-tui: \(folder)/none.ckpt: cannot open it: No such file or directory\n", "\(missing.stderr)")
    }
}
