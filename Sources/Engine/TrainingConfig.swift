// CONTRACT (skeleton): the engine's public surface that the dashboard and the app code against.
// The engine helper owns this module and may add to it.

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

/// Everything that defines a training run. Defaults are the tutorial's.
public struct TrainingConfig: Sendable, Codable, Equatable {
    public var epochs: Int = 20
    public var batchSize: Int = 256
    public var learningRate: Float = 0.2
    public var momentum: Float = 0
    public var weightDecay: Float = 0
    /// Hidden layer widths; input and output sizes come from the dataset.
    public var hidden: [Int] = [512, 256]
    public var initScheme: InitScheme = .normal
    public var seed: UInt64 = 0
    /// BLAS threads. The engine itself is single-threaded between GEMMs.
    public var threads: Int = 1
    /// Train on the first N training images only (nil = all).
    public var trainLimit: Int? = nil

    public init() {}
}
