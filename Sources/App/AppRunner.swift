import Dashboard
import Engine
import Foundation
import MNISTData
import Terminal

/// Exit statuses (documented in the command's help).
enum ExitStatus {
    static let success: Int32 = 0
    /// Bad data, an unwritable metrics file, a trainer that refused the configuration.
    static let failure: Int32 = 1
    /// Headless training hit a non-finite or runaway loss.
    static let diverged: Int32 = 2
}

/// Runs a validated command: loads the data, builds the trainer, picks the mode and runs it.
/// Every failure becomes one line on stderr and an exit status; never a trap or a backtrace.
struct AppRunner {
    let command: MNISTTUICommand

    func run() async -> Int32 {
        if let path = command.inspectCheckpoint {
            do {
                let checkpoint = try Checkpoint.read(from: path)
                for line in CheckpointInspector.lines(checkpoint, path: path) { StandardStreams.printLine(line) }
                return StandardStreams.stdoutFailureStatus() ?? ExitStatus.success
            } catch {
                StandardStreams.printError("mnist-tui: \(error)")
                return ExitStatus.failure
            }
        }

        // MARK: Data and trainer (fresh, or resumed from --resume's checkpoint)
        let dataset: Dataset
        let trainer: Trainer
        var resumed: Checkpoint?
        do {
            if let path = command.resume {
                let checkpoint = try Checkpoint.read(from: path)
                dataset = try Dataset.load(command.resumeDatasetSource(for: checkpoint))
                try checkpoint.verify(dataset: dataset, path: path)
                let config = try command.resumedConfig(from: checkpoint, path: path)
                trainer = try Trainer(dataset: dataset, config: config, resumingFrom: checkpoint.snapshot)
                // --lr on resume changes the saved run's rate from its next batch (recorded in its history).
                if let lr = command.lr, lr != checkpoint.snapshot.position.learningRate { trainer.setLearningRate(lr) }
                resumed = checkpoint
            } else {
                dataset = try Dataset.load(command.datasetSource)
                trainer = try Trainer(dataset: dataset, config: try command.trainingConfig())
            }
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
        let saver = CheckpointSaver(path: command.save ?? CheckpointSaver.defaultPath, automatic: command.save != nil,
                                    every: command.checkpointEvery, trainer: trainer,
                                    datasetFingerprint: dataset.fingerprint)

        let metrics: MetricsWriter?
        do {
            metrics = try command.metrics.map { try MetricsWriter(path: $0) }
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }

        // MARK: Mode
        let environment = ProcessInfo.processInfo.environment
        let mode = RunMode.select(headlessFlag: command.headless,
                                  stdoutIsTerminal: StandardStreams.isTerminal(STDOUT_FILENO),
                                  stdinIsTerminal: StandardStreams.isTerminal(STDIN_FILENO),
                                  term: environment["TERM"])
        var status: Int32?
        if mode == .dashboard {
            let noColorVariable = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
            status = await DashboardLoop.run(trainer: trainer, testImages: dataset.test,
                                             allowColor: !command.noColor && !noColorVariable,
                                             forceASCII: command.ascii, metrics: metrics,
                                             saver: saver, resumed: resumed?.snapshot)
            if status == nil {
                StandardStreams.printError("mnist-tui: cannot drive this terminal (TERM=\(environment["TERM"] ?? "")); running headless")
            }
        }
        var exitStatus: Int32
        if let status {
            exitStatus = status
        } else {
            exitStatus = await HeadlessRun.run(trainer: trainer, metrics: metrics, saver: saver)
        }

        do {
            try metrics?.close()
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            if exitStatus == ExitStatus.success { exitStatus = ExitStatus.failure }
        }
        return exitStatus
    }
}
