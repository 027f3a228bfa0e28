// All of a run's state apart from the network's buffers, gathered in one place so a checkpoint can
// capture it between batches (`TrainingSnapshot`) and a Trainer can continue from it exactly.
import MNISTData

/// A learning-rate change, effective from global step `step` (1-based).
public struct LearningRateChange: Sendable, Equatable, Codable {
    public var step: Int
    public var from: Float
    public var to: Float

    public init(step: Int, from: Float, to: Float) {
        self.step = step
        self.from = from
        self.to = to
    }
}

/// The compact part of an epoch's evaluation (what charts need; no per-image data).
public struct EpochSummary: Sendable, Equatable, Codable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (per sample).
    public var trainLoss: Double
    /// Accuracy of the training pass's own predictions over the epoch.
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    /// Seconds of the training pass alone (evaluation excluded).
    public var trainSeconds: Double
    /// Learning rate at the end of the epoch.
    public var learningRate: Float

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double, testAccuracy: Double,
                trainSeconds: Double, learningRate: Float) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.trainSeconds = trainSeconds
        self.learningRate = learningRate
    }
}

/// Where a run stands between two batches: every scalar needed to continue it exactly.
/// Small and allocation-free to copy (the divergence rollback point is one of these).
public struct RunPosition: Sendable, Equatable, Codable {
    /// The epoch being trained (1-based); `epochs + 1` once all are done.
    public var epoch: Int = 1
    /// Batches of `epoch` already trained (0 = the epoch has not begun).
    public var batchesDone: Int = 0
    /// Global steps trained since the run began.
    public var step: Int = 0
    /// The learning rate the next batch trains with.
    public var learningRate: Float
    /// The generator's state at the start of `epoch`, before that epoch's shuffle. The epoch's order
    /// is re-derived from it, so a position mid-epoch needs no stored permutation.
    public var epochStartGenerator: SeededGenerator
    /// Running sums over the batches of `epoch` trained so far.
    public var epochLossSum: Double = 0
    public var epochCorrect: Int = 0
    public var epochSamples: Int = 0
    public var epochTrainSeconds: Double = 0
    /// Loss of the run's first batch: the reference for the runaway-loss test (nil before it).
    public var initialLoss: Float? = nil

    public init(learningRate: Float, epochStartGenerator: SeededGenerator) {
        self.learningRate = learningRate
        self.epochStartGenerator = epochStartGenerator
    }
}

/// The histories a run keeps (compact: one Float per batch, one summary per epoch).
public struct RunHistory: Sendable, Equatable, Codable {
    /// The mean loss of every trained batch, in step order (index = step - 1).
    public var batchLosses: [Float] = []
    public var learningRateChanges: [LearningRateChange] = []
    public var epochs: [EpochSummary] = []

    public init() {}
}

/// Everything a run needs to continue exactly, captured between batches with `Trainer.snapshot()`
/// and handed to `Trainer(dataset:config:resumingFrom:)`. This is what a checkpoint serialises.
public struct TrainingSnapshot: Sendable, Equatable {
    /// The run's configuration (epochs may be raised when resuming).
    public var config: TrainingConfig
    /// Input, hidden..., output.
    public var layerSizes: [Int]
    /// The dataset's identity: name, class count and the (limited) split sizes it trained on.
    public var datasetName: String
    public var classCount: Int
    public var trainCount: Int
    public var testCount: Int
    /// Flat parameters in `MLP`'s layout: W0 [s0, s1] row-major, b0 [s1], W1, b1, ...
    public var parameters: [Float]
    /// The optimiser's step count and state buffers, each in the parameters' layout (its kind and
    /// settings are in `config`).
    public var optimizerState: OptimizerSnapshot
    public var position: RunPosition
    public var history: RunHistory

    public init(config: TrainingConfig, layerSizes: [Int], datasetName: String, classCount: Int,
                trainCount: Int, testCount: Int, parameters: [Float], optimizerState: OptimizerSnapshot,
                position: RunPosition, history: RunHistory) {
        self.config = config
        self.layerSizes = layerSizes
        self.datasetName = datasetName
        self.classCount = classCount
        self.trainCount = trainCount
        self.testCount = testCount
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.position = position
        self.history = history
    }
}

extension TrainingSnapshot {
    /// FNV-1a 64 over the parameters' IEEE 754 bit patterns, each 32-bit pattern xored in as one
    /// word (offset basis 0xcbf29ce484222325, prime 0x100000001b3): equal fingerprints mean the
    /// same weights bit for bit, so runs can be compared across versions and machines.
    public var parametersFingerprint: UInt64 { Self.fingerprint(parameters) }

    public static func fingerprint(_ parameters: [Float]) -> UInt64 {
        parameters.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1.bitPattern)) &* 0x0000_0100_0000_01b3 }
    }

    /// The fingerprint as 16 hex digits.
    public var parametersFingerprintHex: String { Dataset.hexFingerprint(parametersFingerprint) }
}
