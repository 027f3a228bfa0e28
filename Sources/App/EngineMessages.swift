// The engine's configuration errors and cost estimates in the command line's words: each names
// the flag to change. (The engine speaks of fields, not flags; this is the one place that knows both.)
import Engine

extension TrainingConfigError {
    /// One line naming the option(s) at fault.
    var commandLineMessage: String {
        switch self {
        case .epochs(let v): "--epochs must be an integer > 0, got \(v)"
        case .batchSize(let v): "--batch-size must be an integer > 0, got \(v)"
        case .learningRate(let v): "--lr must be a finite number > 0, got \(v)"
        case .momentum(let v): "--momentum must be a finite number >= 0 and < 1, got \(v)"
        case .momentumWithoutSGD(let kind): "--momentum is for --optimizer sgd only, not \(kind.rawValue)"
        case .weightDecay(let v): "--weight-decay must be a finite number >= 0, got \(v)"
        case .betas, .epsilon: description
        case .hidden(let v):
            "--hidden must list one or more layer widths > 0 (e.g. 512,256), got "
                + (v.isEmpty ? "nothing" : v.map(String.init).joined(separator: ","))
        case .threads(let v): "--threads must be an integer from 1 to \(TrainingConfig.maxThreads), got \(v)"
        case .trainLimit(let v): "--train-limit must be an integer > 0, got \(v)"
        case .memory(let needed, let available, let count):
            "--hidden and --batch-size ask for \(count) parameters and about \(MemoryEstimate.format(needed)) of memory "
                + "(with --optimizer's state); this machine has \(MemoryEstimate.format(available)): choose smaller layers"
        case .dataset: description
        case .snapshot(let mismatch):
            switch mismatch {
            case .batchSize(let saved, let run): "--batch-size \(run) contradicts the checkpoint, which has \(saved)"
            case .optimizer(let saved, let run): "--optimizer, --momentum and --weight-decay give \(run), but the checkpoint was trained with \(saved)"
            case .nothingToDo(let done, let target): "--epochs \(target) leaves nothing to do: the checkpoint already trained \(done) epochs"
            case .layers, .dataset, .parameterCount, .optimizerState: description
            }
        }
    }

    /// 64 for options the user can change (as ArgumentParser's own refusals), 1 for data that
    /// cannot be trained on and checkpoints that do not fit their data.
    var exitStatus: Int32 {
        switch self {
        case .dataset: ExitStatus.failure
        case .snapshot(.layers), .snapshot(.dataset), .snapshot(.parameterCount), .snapshot(.optimizerState):
            ExitStatus.failure
        default: ExitStatus.usage
        }
    }
}

/// A one-line warning for configurations that take long to initialise (no output for seconds
/// looks like a hang): `--hidden 16384,16384` draws 281 million weights, about 18 s.
enum SlowStartNotice {
    /// Parameters drawn per second by `MLP.initialize` (measured: 281 M in about 18 s).
    static let parametersPerSecond = 15_000_000.0
    /// Warn from about 3 s on.
    static let threshold = 45_000_000

    /// The warning for a fresh run of `config` with `parameterCount` parameters, or nil when it starts quickly.
    static func message(config: TrainingConfig, parameterCount count: Int) -> String? {
        guard count >= threshold else { return nil }
        let seconds = Int((Double(count) / parametersPerSecond).rounded())
        return "--hidden \(config.hidden.map(String.init).joined(separator: ",")) makes \(count) parameters; "
            + "initialising them takes a while (roughly \(seconds) s)"
    }
}
