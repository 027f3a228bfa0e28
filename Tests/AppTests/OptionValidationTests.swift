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
    ])
    func invalid(arguments: [String], option: String) throws {
        let message = try #require(parseError(arguments), "\(arguments) parsed")
        #expect(message.contains(option), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
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
