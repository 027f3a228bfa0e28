// Runs a `--vs` invocation (AppRunner hands it over): the data loaded once, one trainer per run,
// trained together by one `TrainingGroup`, each with its own outputs, then one exit status.
import Dashboard
import Engine
import Foundation
import MNISTData

struct CompareRunner {
    let command: MNISTTUICommand
    let firstLayer: FirstLayerPath

    func run() async -> Int32 {
        let runs: [ComparedRun]
        let dataset: Dataset
        var trainers: [Trainer] = []
        do {
            runs = try command.comparedRuns()
            dataset = try Dataset.load(command.datasetSource)
            let configs = try runs.map { try $0.command.trainingConfig() }
            let plans = try TrainingGroup.plan(dataset: dataset, configs: configs)  // refuses runs too large together
            for (index, (run, config)) in zip(runs, configs).enumerated() {
                let plan = plans[index]
                if let notice = SlowStartNotice.message(config: config, parameterCount: plan.memory.parameterCount) {
                    StandardStreams.printError("mnist-tui: \(HeadlessCompare.prefix(run: index + 1, label: run.label))\(notice)")
                }
                trainers.append(try Trainer(dataset: dataset, config: config, firstLayerPath: firstLayer))
            }
        } catch {
            return AppRunner.fail(error)
        }
        let labels = runs.map(\.label)
        let outputs: [RunOutputs]
        do {
            outputs = try RunOutputs.make(comparing: runs, trainers: trainers, dataset: dataset, command: command)
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
        if command.metrics != nil {
            for trainer in trainers { trainer.setLayerHealth(every: MetricsFormat.layerHealthEvery) }
        }
        var dashboardEndings: [RunEnding]?
        if command.screen.mode == .dashboard {
            let ghosts: [RunTrack]
            do { ghosts = try command.ghostOptions.runs() } catch {
                StandardStreams.printError("mnist-tui: \(error)")
                return ExitStatus.usage
            }
            // `s` saves the base run (the default path); --save is refused with --vs.
            let saver = CheckpointSaver(path: CheckpointSaver.defaultPath, automatic: false, trainer: trainers[0],
                                        datasetFingerprint: dataset.fingerprint)
            let ending = await DashboardMode.run(
                trainers: trainers, labels: labels, ghosts: ghosts, testImages: dataset.test,
                allowColor: command.screen.allowColor, forceASCII: command.screen.ascii, theme: command.screen.theme,
                mouse: !command.screen.noMouse, outputs: outputs, layerHealthEvery: command.metrics != nil ? MetricsFormat.layerHealthEvery : nil,
                saver: saver, resumed: nil)
            if let ending {
                dashboardEndings = Array(repeating: ending, count: trainers.count)
            } else {
                StandardStreams.printError("mnist-tui: \(ScreenOptions.cannotDriveTerminal)")
            }
        }
        let endings: [RunEnding]
        if let dashboardEndings {
            endings = dashboardEndings
        } else {
            endings = await HeadlessCompare.run(group: TrainingGroup(trainers), labels: labels, outputs: outputs)
        }

        var exitStatus = endings.map(ExitStatus.status(for:)).max() ?? ExitStatus.success
        for (index, output) in outputs.enumerated() {
            for report in output.finish(endings[index]) {
                StandardStreams.printError("mnist-tui: \(HeadlessCompare.prefix(run: index + 1, label: labels[index]))\(report.text)")
                if report.isError && exitStatus == ExitStatus.success { exitStatus = ExitStatus.failure }
            }
        }
        if case .signal = endings.first {} else if let status = StandardStreams.stdoutFailureStatus() { exitStatus = status }
        return exitStatus
    }
}

extension RunOutputs {
    /// Each run's outputs in a comparison: one `--metrics` file whose lines carry the run and its
    /// label; `--tensorboard DIR` one subfolder per run (`DIR/1-base`, `DIR/2-init-default`: how
    /// TensorBoard compares runs). Checkpoints and exports are refused with `--vs` (`comparedRuns`).
    static func make(comparing runs: [ComparedRun], trainers: [Trainer], dataset: Dataset,
                     command: MNISTTUICommand) throws -> [RunOutputs] {
        let tags = runs.indices.map { MetricsTag(run: $0 + 1, label: runs[$0].label) }
        var metrics: MetricsWriter?
        if let path = command.metrics {
            let lines = zip(runs, trainers).enumerated().map { index, pair in
                MetricsFormat.tagged(RunDescription(command: pair.0.command, info: pair.1.info, dataset: dataset,
                                                    source: command.datasetSource, resumed: nil).line, tags[index])
            }
            metrics = try MetricsWriter(path: path, runLines: lines, truncate: command.overwrite)
        }
        return try runs.indices.map { index in
            var outputs: [any RunOutput] = []
            if let metrics { outputs.append(TaggedMetrics(writer: metrics, tag: tags[index])) }
            if let folder = command.tensorboard {
                outputs.append(try TensorBoardOutput(directory: Path.join(folder, tensorBoardRunName(tags[index]))))
            }
            return RunOutputs(outputs)
        }
    }

    /// `2-init-default`: the run number and its label in letters, digits, dots and dashes.
    static func tensorBoardRunName(_ tag: MetricsTag) -> String {
        var name = "\(tag.run)"
        for word in tag.label.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == ".") }) {
            name += "-" + word
        }
        return name
    }
}
