// Validation of a TrainingConfig (and of a dataset / snapshot against it). The errors are
// structured and speak of the configuration's fields, not of any front end's options: the App maps
// them to its flags (Sources/App/EngineErrorMessages.swift).
import MNISTData

/// Why a run cannot start. `description` is one line in the engine's words.
public enum TrainingConfigError: Error, Equatable, CustomStringConvertible {
    case epochs(Int)
    case batchSize(Int)
    case learningRate(Float)
    case momentum(Float)
    /// Momentum is an SGD setting; this optimiser has none.
    case momentumWithoutSGD(OptimizerKind)
    case weightDecay(Float)
    /// Adam's β1, β2 (each in [0, 1)).
    case betas(Float, Float)
    case epsilon(Float)
    case hidden([Int])
    case threads(Int)
    case trainLimit(Int)
    /// The run would need more memory than the machine has (bytes).
    case memory(needed: Int, available: Int, parameterCount: Int)
    /// The dataset cannot be trained on (empty, inconsistent sizes, labels out of range...).
    case dataset(String)
    /// A snapshot to resume from does not fit this run.
    case snapshot(SnapshotMismatch)

    /// The configuration fields errors speak of (front ends map them to their options).
    public enum Field: String, Sendable, CaseIterable {
        case epochs = "epoch count"
        case batchSize = "batch size"
        case learningRate = "learning rate"
        case momentum
        case weightDecay = "weight decay"
        case betas = "Adam betas"
        case epsilon = "Adam epsilon"
        case hidden = "hidden layers"
        case threads = "thread count"
        case trainLimit = "train limit"
    }

    /// For an error about one field: the field, and what it must be, e.g. (.batchSize, "must be an
    /// integer > 0, got 0"). Nil for the other errors.
    public var fieldProblem: (field: Field, requirement: String)? {
        switch self {
        case .epochs(let v): (.epochs, "must be an integer > 0, got \(v)")
        case .batchSize(let v): (.batchSize, "must be an integer > 0, got \(v)")
        case .learningRate(let v): (.learningRate, "must be a finite number > 0, got \(v)")
        case .momentum(let v): (.momentum, "must be a finite number >= 0 and < 1, got \(v)")
        case .momentumWithoutSGD(let kind): (.momentum, "is for sgd only, not \(kind.rawValue)")
        case .weightDecay(let v): (.weightDecay, "must be a finite number >= 0, got \(v)")
        case .betas(let b1, let b2): (.betas, "must be finite numbers >= 0 and < 1, got \(b1) and \(b2)")
        case .epsilon(let v): (.epsilon, "must be a finite number > 0, got \(v)")
        case .hidden(let v):
            (.hidden, "must be one or more widths > 0 (e.g. 512,256), got "
                + (v.isEmpty ? "nothing" : v.map(String.init).joined(separator: ",")))
        case .threads(let v): (.threads, "must be an integer from 1 to \(TrainingConfig.maxThreads), got \(v)")
        case .trainLimit(let v): (.trainLimit, "must be an integer > 0, got \(v)")
        case .memory, .dataset, .snapshot: nil
        }
    }

    public var description: String {
        if let (field, requirement) = fieldProblem { return "the \(field.rawValue) \(requirement)" }
        switch self {
        case .memory(let needed, let available, let count):
            return "the network (\(count) parameters) needs about \(MemoryEstimate.format(needed)) of memory; this machine has \(MemoryEstimate.format(available))"
        case .dataset(let why): return "dataset: \(why)"
        case .snapshot(let mismatch): return "resume: \(mismatch)"
        default: return "invalid configuration"  // every other case is a field problem, above
        }
    }
}

/// How a snapshot contradicts the run it is to continue.
public enum SnapshotMismatch: Equatable, Sendable, CustomStringConvertible {
    case layers(saved: [Int], run: [Int])
    case dataset(saved: String, savedCounts: [Int], run: String, runCounts: [Int])
    case parameterCount(saved: Int, needed: Int)
    case optimizerState(saved: Int, needed: Int)
    case batchSize(saved: Int, run: Int)
    /// Optimiser, momentum, weight decay, betas or epsilon differ (summaries as `optimizerSummary`).
    case optimizer(saved: String, run: String)
    /// The snapshot has trained `epochsDone` epochs already, and the run's target is no more.
    case nothingToDo(epochsDone: Int, target: Int)

    public var description: String {
        switch self {
        case .layers(let saved, let run):
            "the checkpoint's layers are \(saved.map(String.init).joined(separator: "-")), this run's are \(run.map(String.init).joined(separator: "-"))"
        case .dataset(let saved, let savedCounts, let run, let runCounts):
            "the checkpoint was trained on \(saved.debugDescription) (\(savedCounts[0]) train, \(savedCounts[1]) test images), not \(run.debugDescription) (\(runCounts[0]), \(runCounts[1]))"
        case .parameterCount(let saved, let needed):
            "the checkpoint holds \(saved) parameters, the network needs \(needed)"
        case .optimizerState(let saved, let needed):
            "the checkpoint holds \(saved) optimizer state buffers, this optimizer needs \(needed)"
        case .batchSize(let saved, let run):
            "the checkpoint was trained with batch size \(saved), not \(run)"
        case .optimizer(let saved, let run):
            "the checkpoint was trained with \(saved), not \(run)"
        case .nothingToDo(let done, let target):
            "the checkpoint already trained \(done) epochs; a target of \(target) leaves nothing to do"
        }
    }
}

extension TrainingConfig {
    /// More BLAS threads than this is surely a typo.
    public static let maxThreads = 256

    /// Whether `lr` can be trained with (finite and > 0): the one definition, for the
    /// configuration, the trainer's live control and front ends' option checks.
    public static func isValidLearningRate(_ lr: Float) -> Bool { lr.isFinite && lr > 0 }

    /// "sgd, momentum 0.9, weight decay 0.0005" / "adamw, weight decay 0.01, betas 0.9/0.999, eps 1e-08".
    public var optimizerSummary: String {
        switch optimizer {
        case .sgd: "sgd, momentum \(momentum), weight decay \(weightDecay)"
        case .adam, .adamw: "\(optimizer.rawValue), weight decay \(weightDecay), betas \(beta1)/\(beta2), eps \(epsilon)"
        }
    }

    /// Checks every field; throws the first problem found (in the order the fields are declared).
    public func validate() throws(TrainingConfigError) {
        guard epochs > 0 else { throw .epochs(epochs) }
        guard batchSize > 0 else { throw .batchSize(batchSize) }
        guard Self.isValidLearningRate(learningRate) else { throw .learningRate(learningRate) }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw .momentum(momentum) }
        guard momentum == 0 || optimizer == .sgd else { throw .momentumWithoutSGD(optimizer) }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw .weightDecay(weightDecay) }
        guard [beta1, beta2].allSatisfy({ $0.isFinite && $0 >= 0 && $0 < 1 }) else { throw .betas(beta1, beta2) }
        guard epsilon.isFinite, epsilon > 0 else { throw .epsilon(epsilon) }
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else { throw .hidden(hidden) }
        guard (1...Self.maxThreads).contains(threads) else { throw .threads(threads) }
        if let trainLimit, trainLimit <= 0 { throw .trainLimit(trainLimit) }
    }
}

extension Dataset {
    /// The engine reads pixels and labels through unsafe pointers, so it re-checks what it relies on
    /// (the loader already validates files; this guards datasets built in code).
    func validateForTraining() throws(TrainingConfigError) {
        guard classCount >= 2 else { throw .dataset("needs at least 2 classes, got \(classCount)") }
        guard train.count > 0 else { throw .dataset("the training set is empty") }
        guard train.pixelsPerImage > 0 else { throw .dataset("images have no pixels") }
        guard train.pixelsPerImage == test.pixelsPerImage else {
            throw .dataset("train images are \(train.rows)x\(train.cols) but test images are \(test.rows)x\(test.cols)")
        }
        for (split, images) in [("train", train), ("test", test)] {
            guard images.pixels.count == images.count * images.pixelsPerImage, images.labels.count == images.count else {
                throw .dataset("\(split) split holds \(images.pixels.count) pixel bytes and \(images.labels.count) labels for \(images.count) images")
            }
            if let bad = images.labels.first(where: { Int($0) >= classCount }) {
                throw .dataset("\(split) label \(bad) is out of range for \(classCount) classes")
            }
        }
    }
}
