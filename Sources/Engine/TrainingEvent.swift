// The one event type the engine publishes. Front ends (headless printer, metrics writer,
// dashboard) consume only these.

/// Static facts about a run, sent once when it starts.
public struct RunInfo: Sendable, Equatable {
    /// Input, hidden..., output, e.g. [784, 512, 256, 10].
    public var layerSizes: [Int]
    public var config: TrainingConfig
    public var datasetName: String
    public var classNames: [String]
    public var trainCount: Int
    public var testCount: Int
    public var batchesPerEpoch: Int
    /// First epoch this run will train (1 for a fresh run; later when resumed).
    public var firstEpoch: Int

    public init(layerSizes: [Int], config: TrainingConfig, datasetName: String, classNames: [String],
                trainCount: Int, testCount: Int, batchesPerEpoch: Int, firstEpoch: Int = 1) {
        self.layerSizes = layerSizes
        self.config = config
        self.datasetName = datasetName
        self.classNames = classNames
        self.trainCount = trainCount
        self.testCount = testCount
        self.batchesPerEpoch = batchesPerEpoch
        self.firstEpoch = firstEpoch
    }
}

/// One training step.
public struct BatchMetrics: Sendable, Equatable {
    /// 1-based epoch and batch within it.
    public var epoch: Int
    public var batch: Int
    public var batchesPerEpoch: Int
    /// 1-based global step since the run began (continues across epochs).
    public var step: Int
    /// Mean cross-entropy of this batch.
    public var loss: Float
    /// The learning rate this batch was trained with.
    public var learningRate: Float
    /// Training throughput, samples per second, over the recent batches.
    public var samplesPerSecond: Double

    public init(epoch: Int, batch: Int, batchesPerEpoch: Int, step: Int, loss: Float,
                learningRate: Float, samplesPerSecond: Double) {
        self.epoch = epoch
        self.batch = batch
        self.batchesPerEpoch = batchesPerEpoch
        self.step = step
        self.loss = loss
        self.learningRate = learningRate
        self.samplesPerSecond = samplesPerSecond
    }
}

/// Counts of (true class, predicted class) pairs.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classes: Int
    /// Row-major: `counts[truth * classes + predicted]`.
    public var counts: [Int]

    public init(classes: Int) {
        self.classes = classes
        self.counts = Array(repeating: 0, count: classes * classes)
    }

    public subscript(truth: Int, predicted: Int) -> Int {
        get { counts[truth * classes + predicted] }
        set { counts[truth * classes + predicted] = newValue }
    }

    /// Samples of class `truth`.
    public func rowTotal(_ truth: Int) -> Int {
        (0..<classes).reduce(0) { $0 + self[truth, $1] }
    }

    /// Fraction of class `truth` predicted correctly (nil when the class has no samples).
    public func recall(_ truth: Int) -> Double? {
        let total = rowTotal(truth)
        return total == 0 ? nil : Double(self[truth, truth]) / Double(total)
    }
}

/// A test image the model got wrong, with the model's softmax output for it.
public struct Misclassified: Sendable, Equatable {
    /// Index into `Dataset.test`.
    public var testIndex: Int
    public var label: Int
    public var predicted: Int
    /// Softmax probabilities, one per class.
    public var probabilities: [Float]

    public init(testIndex: Int, label: Int, predicted: Int, probabilities: [Float]) {
        self.testIndex = testIndex
        self.label = label
        self.predicted = predicted
        self.probabilities = probabilities
    }
}

/// The evaluation after an epoch: the compact `EpochSummary` that histories, checkpoints and charts
/// keep, plus the per-image detail only the latest epoch needs. The summary's fields read through
/// (`metrics.trainLoss` is `metrics.summary.trainLoss`), so the figures are stored once.
@dynamicMemberLookup
public struct EpochMetrics: Sendable, Equatable {
    /// Epoch, losses, accuracies, seconds and learning rate.
    public var summary: EpochSummary
    /// The run's planned number of epochs.
    public var epochs: Int
    public var confusion: ConfusionMatrix
    /// The predicted class of every test image, index = test index.
    public var predictions: [UInt8]
    /// Every misclassified test image, in test-index order.
    public var misclassified: [Misclassified]

    public init(epoch: Int, epochs: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double,
                testAccuracy: Double, trainSeconds: Double, learningRate: Float,
                confusion: ConfusionMatrix, predictions: [UInt8], misclassified: [Misclassified]) {
        self.summary = EpochSummary(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy,
                                    testLoss: testLoss, testAccuracy: testAccuracy,
                                    trainSeconds: trainSeconds, learningRate: learningRate)
        self.epochs = epochs
        self.confusion = confusion
        self.predictions = predictions
        self.misclassified = misclassified
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<EpochSummary, Value>) -> Value {
        get { summary[keyPath: field] }
        set { summary[keyPath: field] = newValue }
    }
}

/// Where a run diverged.
public struct Divergence: Sendable, Equatable {
    public var epoch: Int
    public var batch: Int
    public var loss: Float
    public var learningRate: Float
    /// The epoch whose start the weights were rolled back to.
    public var rolledBackToEpoch: Int

    public init(epoch: Int, batch: Int, loss: Float, learningRate: Float, rolledBackToEpoch: Int) {
        self.epoch = epoch
        self.batch = batch
        self.loss = loss
        self.learningRate = learningRate
        self.rolledBackToEpoch = rolledBackToEpoch
    }
}

/// The run's state as the user sees it.
public enum RunState: Sendable, Equatable {
    case running
    case paused
    /// Caught a non-finite or runaway loss; the weights were rolled back and the run is paused.
    case diverged(Divergence)
    /// All epochs trained.
    case done
    /// Stopped early on request.
    case stopped
}

/// Everything the engine publishes, in order, through `Trainer.events`.
public enum TrainingEvent: Sendable, Equatable {
    case started(RunInfo)
    /// Every training step; never dropped.
    case batch(BatchMetrics)
    /// After each epoch's evaluation of the test set.
    case epoch(EpochMetrics)
    case stateChanged(RunState)
    /// The learning rate changed (by the user) before `step` (the next global step to train).
    case learningRateChanged(from: Float, to: Float, step: Int)
    /// Every layer's health figures, every few steps, only while asked for
    /// (`Trainer.setLayerHealth`); never changes the run's math.
    case layerHealth(LayerHealth)
}
