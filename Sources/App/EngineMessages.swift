// The engine's configuration errors and cost estimates in the command line's words: each names
// the flag to change. (The engine speaks of fields, not flags; this is the one place that knows both.)
import Engine

extension TrainingConfigError {
    /// One line naming the option(s) at fault.
    var commandLineMessage: String {
        if let (field, requirement) = fieldProblem { return "\(Self.option(field)) \(requirement)" }
        switch self {
        case .memory(let needed, let available, let count):
            return "--hidden and --batch-size ask for \(count) parameters and about \(MemoryEstimate.format(needed)) of memory "
                + "(with --optimizer's state); this machine has \(MemoryEstimate.format(available)): choose smaller layers"
        case .snapshot(.batchSize(let saved, let run)):
            return "--batch-size \(run) contradicts the checkpoint, which has \(saved)"
        case .snapshot(.optimizer(let saved, let run)):
            return "--optimizer, --momentum and --weight-decay give \(run), but the checkpoint was trained with \(saved)"
        case .snapshot(.nothingToDo(let done, let target)):
            return "--epochs \(target) leaves nothing to do: the checkpoint already trained \(done) epochs"
        default:
            return description
        }
    }

    /// The option that sets `field` (Adam's betas and epsilon have none: the engine's words).
    static func option(_ field: Field) -> String {
        switch field {
        case .epochs: "--epochs"
        case .batchSize: "--batch-size"
        case .learningRate: "--lr"
        case .momentum: "--momentum"
        case .weightDecay: "--weight-decay"
        case .hidden: "--hidden"
        case .threads: "--threads"
        case .trainLimit: "--train-limit"
        case .betas, .epsilon: "the \(field.rawValue)"
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
