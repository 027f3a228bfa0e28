// Validation of a TrainingConfig (and of a dataset / snapshot against it), with one-line messages
// that name the command-line option, so front ends can print them as they are.
import MNISTData

/// Why a run cannot start. `description` is one line naming the option and the offending value.
public enum TrainingConfigError: Error, Equatable, CustomStringConvertible {
    case epochs(Int)
    case batchSize(Int)
    case learningRate(Float)
    case momentum(Float)
    case weightDecay(Float)
    case hidden([Int])
    case threads(Int)
    case trainLimit(Int)
    /// The dataset cannot be trained on (empty, inconsistent sizes, labels out of range...).
    case dataset(String)
    /// A snapshot to resume from does not fit this run.
    case snapshot(String)

    public var description: String {
        switch self {
        case .epochs(let v): "--epochs must be an integer > 0, got \(v)"
        case .batchSize(let v): "--batch-size must be an integer > 0, got \(v)"
        case .learningRate(let v): "--lr must be a finite number > 0, got \(v)"
        case .momentum(let v): "--momentum must be a finite number >= 0 and < 1, got \(v)"
        case .weightDecay(let v): "--weight-decay must be a finite number >= 0, got \(v)"
        case .hidden(let v):
            "--hidden must list one or more layer widths > 0 (e.g. 512,256), got "
                + (v.isEmpty ? "nothing" : v.map(String.init).joined(separator: ","))
        case .threads(let v): "--threads must be an integer from 1 to \(TrainingConfig.maxThreads), got \(v)"
        case .trainLimit(let v): "--train-limit must be an integer > 0, got \(v)"
        case .dataset(let why): "dataset: \(why)"
        case .snapshot(let why): "resume: \(why)"
        }
    }
}

extension TrainingConfig {
    /// More BLAS threads than this is surely a typo.
    public static let maxThreads = 256

    /// Checks every option; throws the first problem found (in the order the options are listed).
    public func validate() throws(TrainingConfigError) {
        guard epochs > 0 else { throw .epochs(epochs) }
        guard batchSize > 0 else { throw .batchSize(batchSize) }
        guard learningRate.isFinite, learningRate > 0 else { throw .learningRate(learningRate) }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw .momentum(momentum) }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw .weightDecay(weightDecay) }
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
