// `--vs` (issue 9): parsing, refusals and labels; the headless comparison through the real binary
// (each run's lines equal the run made alone), and the metrics file of a comparison.
import Foundation
import Testing
@testable import App
@testable import Engine

@Suite("Compare runs (--vs)")
struct CompareOptionTests {
    func runs(_ arguments: [String]) throws -> [ComparedRun] {
        try MNISTTUICommand.parse(arguments).comparedRuns()
    }

    /// The one-line message and the exit status of a refused command line.
    func refusal(_ arguments: [String]) -> (message: String, status: Int32)? {
        do {
            _ = try MNISTTUICommand.parse(arguments)
            return nil
        } catch {
            return (MNISTTUICommand.message(for: error), MNISTTUICommand.exitCode(for: error).rawValue)
        }
    }

    @Test("each --vs run is the base's options with its own on top; labels say what differs")
    func labelsAndOptions() throws {
        let all = try runs(["--hidden", "64", "--seed", "3", "--lr", "0.5", "--epochs", "4",
                            "--vs", "--init default", "--vs", "--lr=0.1  --seed 9", "--vs", "--hidden \"64, 32\""])
        #expect(all.map(\.label) == ["base", "--init default", "--lr 0.1 --seed 9", "--hidden '64, 32'"])
        let configs = try all.map { try $0.command.trainingConfig() }
        #expect(configs.map(\.initScheme) == [.normal, .default, .normal, .normal])
        #expect(configs.map(\.learningRate) == [0.5, 0.5, 0.1, 0.5])
        #expect(configs.map(\.seed) == [3, 3, 9, 3])
        #expect(configs.map(\.hidden) == [[64], [64], [64], [64, 32]])
        #expect(configs.allSatisfy { $0.epochs == 4 && $0.threads == configs[0].threads })
    }

    @Test("a run's defaults follow its own options: --optimizer adam without --lr takes Adam's default")
    func defaultsPerRun() throws {
        let all = try runs(["--vs", "--optimizer adam"])
        let configs = try all.map { try $0.command.trainingConfig() }
        #expect(configs.map(\.learningRate) == [0.2, 0.001])
        #expect(try runs([]).map(\.label) == ["base"])
    }

    @Test("refusals are one line, status 64, naming the --vs value", arguments: [
        (["--vs", "--epochs 3"], "--vs '--epochs 3': --epochs is shared by every run; give it outside --vs"),
        (["--vs", "--threads=1"], "--vs '--threads=1': --threads is shared by every run; give it outside --vs"),
        (["--vs", "--dataset fashion"], "--vs '--dataset fashion': --dataset is shared by every run; give it outside --vs"),
        (["--vs", "--train-limit 10"], "--vs '--train-limit 10': --train-limit is shared by every run; give it outside --vs"),
        (["--vs", "--metrics m.jsonl"], "--vs '--metrics m.jsonl': --metrics is not an option a run can vary on its own; --vs takes --batch-size, --optimizer, --lr, --momentum, --weight-decay, --hidden, --init, --seed"),
        (["--vs", "--headless"], "--vs '--headless': --headless is not an option a run can vary on its own; --vs takes --batch-size, --optimizer, --lr, --momentum, --weight-decay, --hidden, --init, --seed"),
        (["--vs", "--vs x"], "--vs '--vs x': --vs is not an option a run can vary on its own; --vs takes --batch-size, --optimizer, --lr, --momentum, --weight-decay, --hidden, --init, --seed"),
        (["--vs", "--bogus 3"], "--vs '--bogus 3': --bogus is not an option a run can vary on its own; --vs takes --batch-size, --optimizer, --lr, --momentum, --weight-decay, --hidden, --init, --seed"),
        (["--vs", "--lr -1"], "--vs '--lr -1': --lr must be a finite number > 0, got -1.0"),
        (["--vs", "--lr abc"], "--vs '--lr abc': The value 'abc' is invalid for '--lr <lr>'"),
        (["--optimizer", "adam", "--vs", "--momentum 0.9"], "--vs '--momentum 0.9': --momentum is for sgd only, not adam"),
        (["--vs", "--init 'he"], "--vs '--init 'he': a ' is not closed"),
        (["--vs", ""], "--vs '': no options given (e.g. --vs '--init default')"),
        (["--vs", "--seed 1", "--vs", "--seed  1"], "--vs '--seed  1': the same options as another --vs; every run must differ"),
        (["--vs", "--seed 1", "--vs", "--seed 2", "--vs", "--seed 3", "--vs", "--seed 4"],
         "--vs can be given at most 3 times (4 runs in all); got 4"),
        (["--save", "x.ckpt", "--vs", "--seed 1"], "--save cannot be combined with --vs yet: one file holds one run (use --metrics or --tensorboard to keep the runs)"),
        (["--resume", "x.ckpt", "--vs", "--seed 1"], "--vs cannot be combined with --resume: a checkpoint holds one run"),
    ])
    func refusals(arguments: [String], expected: String) throws {
        let refused = try #require(refusal(arguments))
        #expect(refused.status == 64)
        #expect(refused.message.hasPrefix(expected), "\(refused.message)")
        #expect(!refused.message.contains("\n"), "\(refused.message)")
    }

    @Test("the closing table: final and best test accuracy per run, a diverged run says so")
    func table() {
        var first = HeadlessPrinter(), second = HeadlessPrinter()
        for (epoch, accuracy) in [(1, 0.9), (2, 0.95), (3, 0.94)] {
            _ = first.lines(for: .epoch(HeadlessFormatTests.epoch(epoch, testAccuracy: accuracy)))
        }
        _ = second.lines(for: .epoch(HeadlessFormatTests.epoch(1, testAccuracy: 0.5)))
        _ = second.lines(for: .stateChanged(.diverged(Divergence(epoch: 2, batch: 3, loss: .nan, learningRate: 500,
                                                                 rolledBackToEpoch: 2))))
        #expect(HeadlessCompare.table(labels: ["base", "--lr 500"], printers: [first, second]) == [
            "run  label     final test accuracy  best test accuracy",
            "1    base      94.00%               95.00% (epoch 2)",
            "2    --lr 500  diverged             50.00% (epoch 1)",
        ])
    }

    @Test("TensorBoard gets one folder per run, named by number and label")
    func tensorBoardNames() {
        #expect(RunOutputs.tensorBoardRunName(MetricsTag(run: 1, label: "base")) == "1-base")
        #expect(RunOutputs.tensorBoardRunName(MetricsTag(run: 2, label: "--init default --lr 0.1")) == "2-init-default-lr-0.1")
    }
}

/// The real binary comparing runs headless (small runs: 784-32-10 on 1000 images).
@Suite(.serialized) struct CompareBinaryTests {
    static let base = ["--headless", "--epochs", "2", "--train-limit", "1000", "--hidden", "32", "--threads", "1", "--seed", "5"]

    func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    /// Lines with the seconds taken off (they measure time, not the run).
    static func timeless(_ lines: [String]) -> [String] {
        lines.map { $0.replacing(/, \d+\.\d\d s$/, with: "") }
    }

    @Test("acceptance 1 in small: three runs compared print, prefix removed, what each prints alone; then the table")
    func compareEqualsAlone() throws {
        let vs = ["--init default", "--lr 0.1"]
        let compared = try Subprocess.run(try binary(), Self.base + vs.flatMap { ["--vs", $0] })
        #expect(compared.status == 0, "\(compared.stderr)")
        let lines = compared.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 * 3 + 4, "\(lines)")
        for (index, label) in (["base"] + vs).enumerated() {
            let prefix = "[run \(index + 1): \(label)] "
            let own = lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            let alone = try Subprocess.run(try binary(), Self.base + (index == 0 ? [] : vs[index - 1].split(separator: " ").map(String.init)))
            #expect(alone.status == 0, "\(alone.stderr)")
            let aloneLines = alone.stdout.split(separator: "\n").map(String.init)
            #expect(aloneLines.count == 3)
            #expect(Self.timeless(own) == Self.timeless(aloneLines), "run \(index + 1)")
        }
        // Row by row: each run's epoch 1, then each run's epoch 2, then the closing lines, then the table.
        #expect(lines[0].hasPrefix("[run 1: base] Epoch 1/2") && lines[1].hasPrefix("[run 2: --init default] Epoch 1/2")
                && lines[2].hasPrefix("[run 3: --lr 0.1] Epoch 1/2") && lines[8].hasPrefix("[run 3: --lr 0.1] Accuracy on test set: "))
        #expect(lines[9] == "run  label           final test accuracy  best test accuracy")
        #expect(lines[10].hasPrefix("1    base            "))
    }

    @Test("one run diverging stops alone: its divergence line is prefixed, the others finish, status 2")
    func divergenceOfOneRun() throws {
        let result = try Subprocess.run(try binary(), Self.base + ["--vs", "--lr 500"])
        #expect(result.status == 2, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("[run 2: --lr 500] Training diverged at epoch 1, batch ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("[run 1: base] Accuracy on test set: ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("2    --lr 500  diverged") }, "\(lines)")
    }

    @Test("--metrics of a comparison: every line carries run and label, layer health on epoch lines; report and watch read run 1")
    func metricsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-compare-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Subprocess.run(try binary(), Self.base + ["--metrics", path, "--vs", "--init he"])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        for object in objects {
            let run = try #require(object["run"] as? Int, "\(object)")
            #expect(object["label"] as? String == (run == 1 ? "base" : "--init he"))
        }
        for run in [1, 2] {
            let own = objects.filter { $0["run"] as? Int == run }
            #expect(own.filter { $0["type"] as? String == "run" }.count == 1)
            #expect(own.filter { $0["type"] as? String == "batch" }.count == 2 * 4)
            #expect(own.last?["type"] as? String == "end")
            let epochs = own.filter { $0["type"] as? String == "epoch" }
            #expect(epochs.count == 2)
            for epoch in epochs {
                let layers = try #require(epoch["layers"] as? [[String: Any]])
                #expect(layers.count == 2 && layers.allSatisfy { ($0["act_std"] as? Double ?? 0) > 0 && $0["dead"] is Double })
            }
            // The initial network's figures come first.
            #expect(own.first { $0["type"] as? String == "layers" }?["step"] as? Int == 0)
        }
        let log = try RunLog(path: path)
        #expect(log.runs.count == 1 && log.epochs.count == 2 && log.losses.count == 8)
    }

    @Test("--tensorboard of a comparison: one folder per run, each with its event file")
    func tensorBoardFolders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-compare-tb-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try Subprocess.run(try binary(), Self.base + ["--epochs", "1", "--tensorboard", folder, "--vs", "--init he"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["1-base", "2-init-he"])
        for run in ["1-base", "2-init-he"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + run)
            #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."), "\(files)")
        }
    }
}
