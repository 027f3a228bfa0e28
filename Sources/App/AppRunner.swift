import Dashboard
import Engine
import Foundation
import MNISTData
import Terminal

/// Exit statuses (documented in the command's help).
enum ExitStatus {
    static let success: Int32 = 0
    /// Bad data, an output that could not be written, a trainer that refused the configuration.
    static let failure: Int32 = 1
    /// Headless training hit a non-finite or runaway loss.
    static let diverged: Int32 = 2
    /// A bad option, or options that contradict the checkpoint being resumed (EX_USAGE, as
    /// ArgumentParser's own refusals).
    static let usage: Int32 = 64
}

/// Runs a validated command: loads the data, builds the trainer, picks the mode and runs it.
/// Every failure becomes one line on stderr and an exit status; never a trap or a backtrace.
struct AppRunner {
    let command: MNISTTUICommand

    func run() async -> Int32 {
        if let path = command.inspectCheckpoint { return CheckpointInspector.run(path: path) }

        // MARK: Data and trainer (fresh, or resumed from --resume's checkpoint)
        guard let firstLayer = FirstLayerOverride.fromEnvironment() else { return ExitStatus.usage }
        if command.isCompare { return await CompareRunner(command: command, firstLayer: firstLayer).run() }
        let dataset: Dataset
        let source: DatasetSource
        let trainer: Trainer
        var resumed: Checkpoint?
        do {
            if let path = command.resume {
                let checkpoint = try Checkpoint.read(from: path)
                source = command.resumeDatasetSource(for: checkpoint)
                dataset = try Dataset.load(source)
                try checkpoint.verify(dataset: dataset, path: path)
                let config = try command.resumedConfig(from: checkpoint, path: path)
                trainer = try Trainer(dataset: dataset, config: config, resumingFrom: checkpoint.snapshot,
                                      firstLayerPath: firstLayer)
                // --lr on resume changes the saved run's rate from its next batch (recorded in its history).
                if let lr = command.lr, lr != checkpoint.snapshot.position.learningRate { trainer.setLearningRate(lr) }
                resumed = checkpoint
            } else {
                source = command.datasetSource
                dataset = try Dataset.load(source)
                let config = try command.trainingConfig()
                let plan = try Trainer.plan(dataset: dataset, config: config)  // refuses a run too large
                if let notice = SlowStartNotice.message(config: config, parameterCount: plan.memory.parameterCount) {
                    StandardStreams.printError("mnist-tui: \(notice)")
                }
                trainer = try Trainer(dataset: dataset, config: config, firstLayerPath: firstLayer)
            }
        } catch {
            return Self.fail(error)
        }
        // The metrics file records layer health (its epoch lines carry the latest figures).
        if command.metrics != nil { trainer.setLayerHealth(every: MetricsFormat.layerHealthEvery) }
        let saver = CheckpointSaver(path: command.save ?? CheckpointSaver.defaultPath, automatic: command.save != nil,
                                    trainer: trainer, datasetFingerprint: dataset.fingerprint)
        let outputs: RunOutputs
        let lock: SaveLock?
        do {
            // Two runs saving to one file would overwrite each other's checkpoints: refused here.
            lock = try command.save.map { try SaveLock(path: $0) }
            let run = RunDescription(command: command, info: trainer.info, dataset: dataset, source: source,
                                     resumed: resumed.map { (command.resume ?? "", $0) })
            outputs = try RunOutputs.make(command: command, saver: saver, run: run)
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
        defer { lock?.release() }

        // MARK: Mode
        var ending: RunEnding?
        if command.screen.mode == .dashboard {
            let ghosts: [RunTrack]
            do { ghosts = try command.ghostOptions.runs() } catch {
                StandardStreams.printError("mnist-tui: \(error)")
                return ExitStatus.usage
            }
            ending = await DashboardMode.run(trainers: [trainer], labels: ["base"], ghosts: ghosts, testImages: dataset.test,
                                             allowColor: command.screen.allowColor,
                                             forceASCII: command.screen.ascii, theme: command.screen.theme,
                                             mouse: !command.screen.noMouse, outputs: [outputs],
                                             layerHealthEvery: command.metrics != nil ? MetricsFormat.layerHealthEvery : nil,
                                             saver: saver, resumed: resumed?.snapshot)
            if ending == nil { StandardStreams.printError("mnist-tui: \(ScreenOptions.cannotDriveTerminal)") }
        }
        let end: RunEnding
        if let ending {
            end = ending
        } else {
            end = await HeadlessRun.run(trainer: trainer, outputs: outputs)
        }

        // MARK: Outputs closed, status
        var exitStatus = ExitStatus.status(for: end)
        for report in outputs.finish(end) {
            StandardStreams.printError("mnist-tui: \(report.text)")
            if report.isError && exitStatus == ExitStatus.success { exitStatus = ExitStatus.failure }
        }
        // Lost stdout is an error (141 for a closed pipe), unless a signal already ended the run.
        if case .signal = end {} else if let status = StandardStreams.stdoutFailureStatus() { exitStatus = status }
        return exitStatus
    }
}

extension AppRunner {
    /// A run that could not be set up: its one line on stderr, and the status.
    static func fail(_ error: any Error) -> Int32 {
        switch error {
        case let error as TrainingConfigError:
            StandardStreams.printError("mnist-tui: \(error.commandLineMessage)")
            return error.exitStatus
        case let error as ResumeError:
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.usage
        default:
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
    }
}

extension ExitStatus {
    /// The status for how the run ended (before the outputs had their say).
    static func status(for ending: RunEnding) -> Int32 {
        switch ending {
        case .completed, .quit: success
        case .diverged: diverged
        case .signal(let number): 128 + number
        }
    }
}
