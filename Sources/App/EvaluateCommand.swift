import ArgumentParser
import Engine
import Foundation
import MNISTData

/// `mnist-tui evaluate FILE`: a trained model's test accuracy and confusion matrix, with no training.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a trained model (safetensors from mnist-tui or PyTorch, or a checkpoint) on the test set.",
        discussion: """
            In a terminal it opens the dashboard on the model (test accuracy, confusion matrix, \
            digits, the misclassified browser; nothing trains). With --headless, or when output is \
            piped, it prints the test accuracy and the confusion matrix. \
            Exit status: 0 done, 1 the model or the data cannot be read or do not fit, 64 bad option.
            """
    )

    @Argument(help: ArgumentHelp("The model: a .safetensors file (mnist-tui --export, or PyTorch's save_file of the tutorial's nn.Sequential) or a checkpoint (--save).",
                                 valueName: "FILE"), completion: .file())
    var file: String

    @OptionGroup var dataOptions: DatasetOptions

    @OptionGroup var screen: ScreenOptions

    @Option(parsing: .unconditional, help: "BLAS threads (default: the machine's cores).")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...MNISTTUICommand.maxThreads).contains(threads) {
            throw ValidationError("--threads must be between 1 and \(MNISTTUICommand.maxThreads) (got \(threads))")
        }
    }

    func run() async throws {
        let status = await evaluate()
        if status != ExitStatus.success { throw ExitCode(status) }
    }

    /// Reads the model and the data, evaluates, shows the result; every failure is one line.
    private func evaluate() async -> Int32 {
        let model: EvaluatedModel
        let dataset: Dataset
        let metrics: EpochMetrics
        do {
            model = try EvaluatedModel.read(from: file)
            dataset = try Dataset.load(dataOptions.source(recordedName: model.datasetName))
            try model.requireFit(dataset, path: file)
            let epochs = model.epochsTrained ?? 0
            metrics = try ModelEvaluation.evaluate(layerSizes: model.layerSizes, parameters: model.parameters, dataset: dataset,
                                                   threads: threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount),
                                                   epoch: epochs, epochs: epochs)
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
        if screen.mode == .dashboard {
            if let status = await EvaluationDashboard.run(model: model, path: file, metrics: metrics, dataset: dataset,
                                                          allowColor: screen.allowColor, forceASCII: screen.ascii,
                                                          theme: screen.theme, mouse: !screen.noMouse) {
                return status
            }
            StandardStreams.printError("mnist-tui: \(ScreenOptions.cannotDriveTerminal)")
        }
        for line in EvaluationReport.lines(metrics) { StandardStreams.printLine(line) }
        return StandardStreams.stdoutFailureStatus() ?? ExitStatus.success
    }
}

/// What a headless `evaluate` prints: the accuracy line of a training run's end, then the
/// confusion matrix (rows the true class, columns the predicted one).
enum EvaluationReport {
    static func lines(_ metrics: EpochMetrics) -> [String] {
        let confusion = metrics.confusion
        let classes = confusion.classes
        let width = max(String(confusion.counts.max() ?? 0).count, String(classes - 1).count) + 1
        func pad(_ text: String) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines = [HeadlessPrinter.finalLine(testAccuracy: metrics.testAccuracy),
                     "Confusion matrix (rows: true class, columns: predicted class):",
                     "    " + (0..<classes).map { pad(String($0)) }.joined()]
        for truth in 0..<classes {
            let label = String(truth)
            lines.append(String(repeating: " ", count: max(0, 3 - label.count)) + label + " "
                         + (0..<classes).map { pad(String(confusion[truth, $0])) }.joined())
        }
        return lines
    }
}
