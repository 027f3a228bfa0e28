import Foundation
import Testing
@testable import App
import Engine
import MNISTData

/// The message ArgumentParser would print for `arguments`, or nil if they parse (parsing includes
/// `validate()`).
func parseError(_ arguments: [String]) -> String? {
    do {
        _ = try MNISTTUICommand.parse(arguments)
        return nil
    } catch {
        return MNISTTUICommand.message(for: error)
    }
}

/// Every bad option gets a one-line message that names the option.
@Suite struct OptionValidationTests {

    @Test("the defaults are the tutorial's configuration")
    func defaults() throws {
        let command = try MNISTTUICommand.parse([])
        let config = try command.trainingConfig()
        #expect(config.epochs == 20)
        #expect(config.batchSize == 256)
        #expect(config.learningRate == 0.2)
        #expect(config.momentum == 0)
        #expect(config.weightDecay == 0)
        #expect(config.hidden == [512, 256])
        #expect(config.initScheme == .normal)
        #expect(config.seed == 0)
        #expect(config.threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(config.trainLimit == nil)
        #expect(command.datasetSource == .bundledMNIST)
        #expect(!command.headless)
    }

    @Test("options reach the configuration")
    func optionsReachConfig() throws {
        let command = try MNISTTUICommand.parse([
            "--epochs", "3", "--batch-size", "64", "--lr", "0.05", "--momentum", "0.9",
            "--weight-decay", "0.0001", "--hidden", "128, 64,32", "--init", "he", "--seed", "7",
            "--threads", "1", "--train-limit", "2000", "--dataset", "fashion",
        ])
        let config = try command.trainingConfig()
        #expect(config.epochs == 3)
        #expect(config.batchSize == 64)
        #expect(config.learningRate == 0.05)
        #expect(config.momentum == 0.9)
        #expect(config.weightDecay == 0.0001)
        #expect(config.hidden == [128, 64, 32])
        #expect(config.initScheme == .he)
        #expect(config.seed == 7)
        #expect(config.threads == 1)
        #expect(config.trainLimit == 2000)
        #expect(command.datasetSource == .fashion)
    }

    @Test("--data names a folder source")
    func dataFolder() throws {
        let folder = FileManager.default.temporaryDirectory.path
        let command = try MNISTTUICommand.parse(["--data", folder])
        #expect(command.datasetSource == .directory(folder))
    }

    @Test("each invalid option is refused with a one-line message naming it", arguments: [
        (["--epochs", "0"], "--epochs"),
        (["--epochs=-3"], "--epochs"),
        (["--batch-size", "0"], "--batch-size"),
        (["--batch-size", "10000000"], "--batch-size"),
        (["--train-limit", "0"], "--train-limit"),
        (["--threads", "0"], "--threads"),
        (["--lr", "0"], "--lr"),
        (["--lr=-0.1"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--lr", "inf"], "--lr"),
        (["--momentum", "1"], "--momentum"),
        (["--momentum=-0.5"], "--momentum"),
        (["--weight-decay=-1"], "--weight-decay"),
        (["--hidden", "512,,x"], "--hidden"),
        (["--hidden", ""], "--hidden"),
        (["--hidden", "512,0"], "--hidden"),
        (["--hidden", "512,-4"], "--hidden"),
        (["--hidden", "100000"], "--hidden"),
        (["--data", "/nonexistent/mnist-tui-test"], "--data"),
        (["--data", "/etc/hostname"], "--data"),
        (["--data", "/tmp", "--dataset", "fashion"], "--data"),
        (["--metrics", "/nonexistent/folder/m.jsonl"], "--metrics"),
        (["--metrics", "/tmp"], "--metrics"),
        (["--optimizer", "adam", "--momentum", "0.9"], "--momentum"),
        (["--optimizer", "adamw", "--momentum", "0"], "--momentum"),
        (["--optimizer", "rmsprop"], "--optimizer"),
    ])
    func invalid(arguments: [String], option: String) throws {
        let message = try #require(parseError(arguments), "\(arguments) parsed")
        #expect(message.contains(option), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
    }

    @Test("negative numbers reach the range check instead of 'Missing value' (issue 13)", arguments: [
        (["--lr", "-1"], "--lr must be a finite number > 0, got -1.0"),
        (["--momentum", "-0.5"], "--momentum must be a finite number >= 0 and < 1, got -0.5"),
        (["--weight-decay", "-1"], "--weight-decay must be a finite number >= 0, got -1.0"),
        (["--epochs", "-3"], "--epochs must be a positive whole number (got -3)"),
        (["--batch-size", "-1"], "--batch-size must be a positive whole number (got -1)"),
        (["--threads", "-2"], "--threads must be a positive whole number (got -2)"),
        (["--train-limit", "-5"], "--train-limit must be a positive whole number (got -5)"),
        (["--checkpoint-every", "-1", "--save", "a.ckpt"], "--checkpoint-every must be a positive whole number (got -1)"),
    ])
    func negativeValues(arguments: [String], message: String) {
        #expect(parseError(arguments) == message)
    }

    @Test("--optimizer picks PyTorch's default lr and weight decay unless they are given")
    func optimizerDefaults() throws {
        let sgd = try MNISTTUICommand.parse(["--optimizer", "sgd"]).trainingConfig()
        #expect(sgd.optimizer == .sgd && sgd.learningRate == 0.2 && sgd.weightDecay == 0)
        let adam = try MNISTTUICommand.parse(["--optimizer", "adam"]).trainingConfig()
        #expect(adam.optimizer == .adam && adam.learningRate == 0.001 && adam.weightDecay == 0)
        #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-8)
        let adamw = try MNISTTUICommand.parse(["--optimizer", "adamw"]).trainingConfig()
        #expect(adamw.optimizer == .adamw && adamw.learningRate == 0.001 && adamw.weightDecay == 0.01)
        let given = try MNISTTUICommand.parse(["--optimizer", "adamw", "--lr", "0.003", "--weight-decay", "0"]).trainingConfig()
        #expect(given.learningRate == 0.003 && given.weightDecay == 0)
        #expect(parseError(["--optimizer", "adam", "--momentum", "0.9"]) == "--momentum is for sgd only, not adam")
        #expect(try MNISTTUICommand.parse(["--optimizer", "sgd", "--momentum", "0.9"]).trainingConfig().momentum == 0.9)
    }

    @Test("every engine configuration error maps to a message naming a flag, and a status")
    func engineErrorsNameFlags() {
        let optionErrors: [TrainingConfigError] = [
            .epochs(0), .batchSize(0), .learningRate(-1), .momentum(2), .momentumWithoutSGD(.adam), .weightDecay(-1),
            .hidden([]), .threads(0), .trainLimit(0), .memory(needed: 2_000_000_000, available: 1_000_000_000, parameterCount: 9),
            .snapshot(.batchSize(saved: 256, run: 100)), .snapshot(.optimizer(saved: "sgd", run: "adam")),
            .snapshot(.nothingToDo(epochsDone: 2, target: 2)),
        ]
        for error in optionErrors {
            #expect(error.commandLineMessage.contains("--"), "\(error)")
            #expect(!error.description.contains("--"), "the engine's own words name no flag: \(error)")
            #expect(error.exitStatus == 64)
        }
        #expect(TrainingConfigError.dataset("empty").exitStatus == 1)
        #expect(TrainingConfigError.snapshot(.layers(saved: [1, 2], run: [1, 3])).exitStatus == 1)
        #expect(TrainingConfigError.memory(needed: 2_000_000_000, available: 1_000_000_000, parameterCount: 9).commandLineMessage
            == "--hidden and --batch-size ask for 9 parameters and about 2.0 GB of memory (with --optimizer's state); this machine has 1.0 GB: choose smaller layers")
    }

    @Test("a network slow to initialise gets a one-line notice with its size; a small one none (issue 13)")
    func slowStartNotice() throws {
        let big = try MNISTTUICommand.parse(["--hidden", "16384,16384"]).trainingConfig()
        let count = 784 * 16384 + 16384 + 16384 * 16384 + 16384 + 16384 * 10 + 10
        #expect(SlowStartNotice.message(config: big, parameterCount: count)
            == "--hidden 16384,16384 makes 281477130 parameters; initialising them takes a while (roughly 19 s)")
        let small = try MNISTTUICommand.parse([]).trainingConfig()
        #expect(SlowStartNotice.message(config: small, parameterCount: 535_818) == nil)
    }

    @Test("unknown --dataset and --init values are refused")
    func unknownValues() throws {
        #expect(parseError(["--dataset", "cifar"])?.contains("--dataset") == true)
        #expect(parseError(["--init", "zeros"])?.contains("--init") == true)
    }

    @Test("--hidden parses widths with spaces around commas")
    func hiddenParsing() throws {
        #expect(try MNISTTUICommand.parseHidden("512,256") == [512, 256])
        #expect(try MNISTTUICommand.parseHidden(" 10 ") == [10])
        #expect(throws: (any Error).self) { try MNISTTUICommand.parseHidden("512;256") }
    }
}
