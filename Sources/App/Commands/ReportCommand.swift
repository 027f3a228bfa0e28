import ArgumentParser
import Foundation
import MNISTData

/// `mnist-tui report FILE.jsonl -o report.html`: a run's metrics as one self-contained HTML page
/// to share (loss, accuracy, options, confusion heat map, misclassified digits).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's --metrics file as one self-contained HTML report.",
        discussion: """
            The page holds the loss per batch with its EMA and the test loss, accuracy per epoch, the \
            run's options, the last epoch's confusion matrix as a heat map and up to 100 misclassified \
            digits (from the dataset the run line names). Inline CSS and SVG: no script, no network. \
            Exit status: 0 written, 1 a malformed metrics line (named with its line number) or an \
            unwritable output.
            """
    )

    @Argument(help: ArgumentHelp("The metrics file (JSON Lines) of a run.", valueName: "FILE.jsonl"))
    var file: String

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Where to write the HTML report.", valueName: "FILE.html"))
    var output: String

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output needs a file name") }
        do throws(OutputFileError) { try OutputFile.check(output, allowStreams: false) } catch {
            throw ValidationError("--output \(output): \(error)")
        }
    }

    func run() throws {
        let status = Self.write(metrics: file, to: output)
        if status != 0 { throw ExitCode(status) }
    }

    /// Reads, renders and writes atomically; every failure is one line on stderr. Returns the status.
    static func write(metrics path: String, to output: String,
                      load: (DatasetSource) throws -> Dataset = { try Dataset.load($0) }) -> Int32 {
        let log: RunLog
        do { log = try RunLog(path: path) } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
        let run = log.runs[log.runs.count - 1]
        var images: LabeledImages?
        var note: String?
        let source: DatasetSource = run.dataDirectory.map { .directory($0) }
            ?? (run.info.datasetName == DatasetSource.fashion.displayName ? .fashion : .bundledMNIST)
        do {
            let dataset = try load(source)
            if dataset.fingerprintHex == run.fingerprint {
                images = dataset.test
            } else {
                note = "The digits are not shown: \(dataset.name) here has fingerprint \(dataset.fingerprintHex), the run's is \(run.fingerprint)."
            }
        } catch {
            note = "The digits are not shown: cannot load the run's dataset (\(run.info.datasetName)): \(error)"
        }
        let html = ReportPage.html(log, source: Path.lastComponent(path), images: images, imageNote: note)
        do throws(OutputFileError) {
            try OutputFile.replace(output, with: Array(html.utf8))
        } catch {
            StandardStreams.printError("mnist-tui: --output \(output): \(error)")
            return ExitStatus.failure
        }
        return ExitStatus.success
    }
}
