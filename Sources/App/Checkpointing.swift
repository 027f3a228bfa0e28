// The command line's checkpoint options: how a checkpoint is saved (--save; when is the job of
// `CheckpointPolicy`, one of the run's outputs), how a resumed run's configuration is settled
// against its checkpoint (--resume), and --inspect-checkpoint.
import Dashboard
import Engine
import MNISTData

// MARK: - Saving

/// Writes checkpoints of one run (atomically: see `Checkpoint.write(to:)`).
/// Used from the UI loop and the output task; thread-safe because it holds only immutable values
/// and the trainer's snapshot is itself taken under the trainer's lock.
struct CheckpointSaver: Sendable {
    /// Where `s`, `q` + `y`, the end of the run and signals save.
    let path: String
    /// Whether the user asked for saving (`--save`); without it the dashboard's `s` still saves,
    /// to the default path, but nothing is saved automatically.
    let automatic: Bool
    let trainer: Trainer
    let datasetFingerprint: UInt64

    /// Where the dashboard's `s` saves without `--save`.
    static let defaultPath = "mnist-tui.ckpt"

    /// Saves now (to `path`, or to `target`); returns a one-line report
    /// ("checkpoint saved to F (2 epochs done)").
    func save(to target: String? = nil) throws(CheckpointError) -> String {
        let target = target ?? path
        let checkpoint = Checkpoint(snapshot: trainer.snapshot(), datasetFingerprint: datasetFingerprint)
        try checkpoint.write(to: target)
        let position = checkpoint.snapshot.position
        let batchPart = position.batchesDone > 0 && position.epoch <= checkpoint.snapshot.config.epochs
            ? ", epoch \(position.epoch) batch \(position.batchesDone)" : ""
        return "checkpoint saved to \(target) (\(checkpoint.epochsDone) epoch\(checkpoint.epochsDone == 1 ? "" : "s") done\(batchPart))"
    }
}

// MARK: - Resuming

extension MNISTTUICommand {
    /// The dataset a resumed run loads: `--data`/`--dataset` if given, else the one the checkpoint
    /// names (MNIST or Fashion-MNIST; any other folder must be given with --data).
    func resumeDatasetSource(for checkpoint: Checkpoint) -> DatasetSource {
        if data != nil || dataset != nil { return datasetSource }
        return checkpoint.snapshot.datasetName == DatasetSource.fashion.displayName ? .fashion : .bundledMNIST
    }

    /// The configuration of a resumed run: the checkpoint's, with `--epochs` (the total to reach) and
    /// `--threads` applied. A flag the checkpoint also records must agree with it: otherwise the
    /// error names the flag and both values. (`--lr` is applied by the caller as a change.)
    func resumedConfig(from checkpoint: Checkpoint, path: String) throws(ResumeError) -> TrainingConfig {
        let saved = checkpoint.snapshot.config
        func contradiction(_ flag: String, _ given: String, _ recorded: String) -> ResumeError {
            ResumeError("\(flag) \(given) contradicts the checkpoint \(path), which has \(recorded)")
        }
        if let optimizer, optimizer != saved.optimizer {
            throw contradiction("--optimizer", optimizer.rawValue, saved.optimizer.rawValue)
        }
        if let hidden, let widths = try? Self.parseHidden(hidden), widths != saved.hidden {
            throw contradiction("--hidden", hidden, saved.hidden.map(String.init).joined(separator: ","))
        }
        if let batchSize, batchSize != saved.batchSize {
            throw contradiction("--batch-size", "\(batchSize)", "\(saved.batchSize)")
        }
        if let momentum, momentum != saved.momentum {
            throw contradiction("--momentum", "\(momentum)", "\(saved.momentum)")
        }
        if let weightDecay, weightDecay != saved.weightDecay {
            throw contradiction("--weight-decay", "\(weightDecay)", "\(saved.weightDecay)")
        }
        if let initScheme, initScheme.scheme != saved.initScheme {
            throw contradiction("--init", initScheme.rawValue, saved.initScheme.rawValue)
        }
        if let seed, seed != saved.seed {
            throw contradiction("--seed", "\(seed)", "\(saved.seed)")
        }
        if let trainLimit, trainLimit != saved.trainLimit {
            throw contradiction("--train-limit", "\(trainLimit)", saved.trainLimit.map(String.init) ?? "no train limit")
        }
        var config = saved
        let done = checkpoint.epochsDone
        if let epochs { config.epochs = epochs }
        guard config.epochs > done else {
            throw ResumeError("the checkpoint \(path) has already trained \(done) of \(saved.epochs) epochs: pass --epochs N with N > \(done) to continue it")
        }
        if let threads { config.threads = threads }
        return config
    }
}

/// A flag or file that does not fit the checkpoint being resumed (one line).
struct ResumeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Inspecting

enum CheckpointInspector {
    /// What `--inspect-checkpoint FILE` prints: a few plain lines.
    static func lines(_ checkpoint: Checkpoint, path: String) -> [String] {
        let s = checkpoint.snapshot
        let c = s.config
        let p = s.position
        var lines = [
            "\(path): mnist-tui checkpoint, format version \(checkpoint.version)",
            "network: \(s.layerSizes.map(String.init).joined(separator: "-")), init \(c.initScheme.rawValue), \(s.parameters.count) parameters",
            "dataset: \(Checkpoint.printable(s.datasetName)) (\(s.trainCount) train, \(s.testCount) test images, fingerprint \(Dataset.hexFingerprint(checkpoint.datasetFingerprint)))"
                + (c.trainLimit.map { ", --train-limit \($0)" } ?? ""),
            "options: --epochs \(c.epochs) --batch-size \(c.batchSize) --optimizer \(c.optimizer.rawValue) --lr \(c.learningRate) "
                + (c.optimizer == .sgd ? "--momentum \(c.momentum) " : "")
                + "--weight-decay \(c.weightDecay) --seed \(c.seed) --threads \(c.threads)",
            "optimizer: \(c.optimizerSummary), step \(s.optimizerState.step)"
                + (s.optimizerState.buffers.isEmpty ? ", no state" : ", state " + c.optimizerStateNames.joined(separator: ", ")),
            "parameters: fingerprint \(s.parametersFingerprintHex) (FNV-1a 64 over the \(s.parameters.count) parameters' bit patterns)",
            "position: \(checkpoint.epochsDone) epoch\(checkpoint.epochsDone == 1 ? "" : "s") done, epoch \(p.epoch) batch \(p.batchesDone), step \(p.step), lr \(p.learningRate)",
            "history: \(s.history.batchLosses.count) batch losses, \(s.history.learningRateChanges.count) lr changes",
        ]
        for e in s.history.epochs {
            lines.append("  epoch \(e.epoch): loss \(NumberFormatting.fixed(e.trainLoss, decimals: 4)), "
                + "test accuracy \(NumberFormatting.fixed(e.testAccuracy * 100, decimals: 2))%, lr \(e.learningRate)")
        }
        return lines
    }
}
