// Optimisers are their own part (as llm.c's gpt2_update is its own step over its own state): each
// one owns its state buffers, decides how the backward pass delivers the gradient (see
// `GradientTarget`), and updates the parameters. The model knows nothing of them. To add one:
// a case in `OptimizerKind`, a type conforming to `Optimizer`, a line in `makeOptimizer`.

/// Which optimiser a run uses.
public enum OptimizerKind: String, Sendable, CaseIterable, Codable {
    /// PyTorch's torch.optim.SGD (dampening 0, no Nesterov): optional momentum, L2 weight decay.
    case sgd
    /// torch.optim.Adam: weight decay is L2 added to the gradient.
    case adam
    /// torch.optim.AdamW: weight decay is decoupled (θ *= 1 - lr·wd before the Adam update).
    case adamw

    /// The learning rate a run uses unless told otherwise (the tutorial's 0.2 for SGD, PyTorch's
    /// default 0.001 for Adam and AdamW).
    public var defaultLearningRate: Float { self == .sgd ? 0.2 : 0.001 }
    /// PyTorch's defaults: 0.01 for AdamW, 0 otherwise.
    public var defaultWeightDecay: Float { self == .adamw ? 0.01 : 0 }
}

/// An optimiser's state as a checkpoint stores it: its step count and its buffers, each in the
/// parameters' layout (SGD with momentum: velocity; Adam: first and second moments).
public struct OptimizerSnapshot: Sendable, Equatable {
    /// Steps taken (Adam's bias correction uses it).
    public var step: Int
    public var buffers: [[Float]]

    public init(step: Int = 0, buffers: [[Float]] = []) {
        self.step = step
        self.buffers = buffers
    }
}

/// An optimiser's state in preallocated buffers (zero at the start), with allocation-free copies
/// for the divergence rollback point.
public final class OptimizerState {
    /// One name per buffer ("velocity", "m", "v"), for messages.
    public let names: [String]
    public let buffers: [UnsafeMutablePointer<Float>]
    public let parameterCount: Int
    public var step = 0

    init(names: [String], parameterCount: Int) {
        self.names = names
        self.parameterCount = parameterCount
        buffers = names.map { _ in .allocateZeroed(parameterCount) }
    }

    /// A zeroed state shaped like `other` (a rollback point's storage).
    convenience init(shapedLike other: OptimizerState) {
        self.init(names: other.names, parameterCount: other.parameterCount)
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// Copies `other`'s step and buffers (same shape; no allocation).
    func copy(from other: OptimizerState) {
        step = other.step
        for (mine, theirs) in zip(buffers, other.buffers) { mine.update(from: theirs, count: parameterCount) }
    }

    /// The state as arrays (allocates: for checkpoints).
    func snapshot() -> OptimizerSnapshot {
        OptimizerSnapshot(step: step, buffers: buffers.map { Array(UnsafeBufferPointer(start: $0, count: parameterCount)) })
    }

    /// Overwrites the state from `snapshot` (whose shape `Trainer.check` verified).
    func load(_ snapshot: OptimizerSnapshot) {
        precondition(snapshot.buffers.count == buffers.count && snapshot.buffers.allSatisfy { $0.count == parameterCount },
                     "optimizer state shape checked by Trainer.check")
        step = snapshot.step
        // `!`: each array holds parameterCount > 0 floats (checked above), so it has a base address.
        for (mine, saved) in zip(buffers, snapshot.buffers) {
            saved.withUnsafeBufferPointer { mine.update(from: $0.baseAddress!, count: parameterCount) }
        }
    }
}

/// Trains the model on one batch: backward pass and parameter update (llm.c's backward + update).
protocol Optimizer: AnyObject {
    var state: OptimizerState { get }
    /// Whether batches should be gathered compacted to their active input columns
    /// (`InputBatch.loadCompacted`): the model handles either; this is a speed and bit-pattern choice.
    var gathersCompactedInput: Bool { get }
    /// One step on the batch of the last `model.forward(input, batch:)`.
    func step(_ model: MLP, input: InputBatch, batch: Int, learningRate: Float)
}

extension TrainingConfig {
    /// The names of the state buffers this configuration's optimiser keeps (none for plain SGD).
    public var optimizerStateNames: [String] {
        switch optimizer {
        case .sgd: momentum > 0 ? ["velocity"] : []
        case .adam, .adamw: ["m", "v"]
        }
    }

    /// This configuration's optimiser, its state zeroed, for a network of `parameterCount` floats.
    func makeOptimizer(parameterCount: Int) -> any Optimizer {
        let state = OptimizerState(names: optimizerStateNames, parameterCount: parameterCount)
        switch optimizer {
        case .sgd:
            return SGD(momentum: momentum, weightDecay: weightDecay, state: state)
        case .adam, .adamw:
            return Adam(hyperparameters: AdamHyperparameters(config: self), state: state)
        }
    }
}
