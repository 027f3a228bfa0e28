// The engine's configuration: everything that defines a training run.
import MNISTData

/// How the weights are initialised.
public enum InitScheme: String, Sendable, CaseIterable, Codable {
    /// N(0, 0.01) weights (the tutorial's), PyTorch-default biases.
    case normal
    /// PyTorch's nn.Linear default: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    case `default`
    /// Glorot uniform weights, zero biases.
    case xavier
    /// Kaiming normal weights (ReLU gain), zero biases.
    case he
}

/// Everything that defines a training run. Defaults are the tutorial's (plain SGD at lr 0.2).
public struct TrainingConfig: Sendable, Codable, Equatable {
    public var epochs: Int = 20
    public var batchSize: Int = 256
    public var optimizer: OptimizerKind = .sgd
    /// The initial learning rate (see `OptimizerKind.defaultLearningRate`).
    public var learningRate: Float = 0.2
    /// SGD only.
    public var momentum: Float = 0
    /// SGD and Adam: L2 (added to the gradient); AdamW: decoupled.
    public var weightDecay: Float = 0
    /// Adam and AdamW: the moment decay rates and the denominator's ε (PyTorch's defaults).
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    /// Hidden layer widths; input and output sizes come from the dataset.
    public var hidden: [Int] = [512, 256]
    public var initScheme: InitScheme = .normal
    public var seed: UInt64 = 0
    /// Threads for BLAS and the sparse first-layer kernels (whose results do not depend on it).
    public var threads: Int = 1
    /// Train on the first N training images only (nil = all).
    public var trainLimit: Int? = nil

    public init() {}

    /// The network's layer sizes on `dataset`: its pixels, the hidden widths, its classes.
    public func layerSizes(for dataset: Dataset) -> [Int] {
        [dataset.train.pixelsPerImage] + hidden + [dataset.classCount]
    }
}
