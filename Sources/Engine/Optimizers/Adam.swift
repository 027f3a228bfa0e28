// Adam and AdamW with PyTorch's formulas (torch.optim.Adam / AdamW, the single-tensor path).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// β1, β2, ε and weight decay, and whether the decay is decoupled (AdamW) or L2 (Adam).
public struct AdamHyperparameters: Sendable, Equatable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public var decoupledWeightDecay: Bool

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
                decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    init(config: TrainingConfig) {
        self.init(beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon, weightDecay: config.weightDecay,
                  decoupledWeightDecay: config.optimizer == .adamw)
    }
}

/// Adam / AdamW. Step t (1-based), for every parameter θ with gradient g:
///
///     g = g + wd·θ                                  (Adam: L2 weight decay)
///     θ = θ·(1 - lr·wd)                             (AdamW: decoupled weight decay)
///     m = m + (1 - β1)·(g - m)                      (PyTorch's lerp)
///     v = β2·v + (1 - β2)·g²
///     denom = sqrt(v) / sqrt(1 - β2^t) + ε
///     θ = θ - (lr / (1 - β1^t))·m / denom
///
/// The bias corrections and step size are computed in Double, as PyTorch does in Python floats.
/// State: m and v (the checkpoint's buffers) and t; the gradient is a workspace.
final class Adam: Optimizer {
    let hyperparameters: AdamHyperparameters
    /// m, v.
    let state: OptimizerState
    /// ∂L/∂θ of the current batch (`parameterCount` floats).
    private let gradients: UnsafeMutablePointer<Float>

    init(hyperparameters: AdamHyperparameters, state: OptimizerState) {
        precondition(state.buffers.count == 2, "state made by TrainingConfig.makeOptimizer")
        self.hyperparameters = hyperparameters
        self.state = state
        gradients = .allocateZeroed(state.parameterCount)
    }

    deinit { gradients.deallocate() }

    /// Every parameter changes every step, so there is nothing to keep bit-compatible with: the
    /// compacted first layer computes the same gradient (zero rows for inactive columns) faster.
    var gathersCompactedInput: Bool { true }

    func step(_ model: MLP, input: InputBatch, batch: Int, learningRate: Float) {
        model.computeGradients(input, batch: batch, into: gradients)
        state.step += 1
        Self.update(parameters: model.parameters, gradients: UnsafePointer(gradients), m: state.buffers[0], v: state.buffers[1],
                    count: state.parameterCount, learningRate: learningRate, step: state.step,
                    hyperparameters: hyperparameters)
    }

    /// The update of step `step` (>= 1) over `count` parameters (`gradients` is only read).
    static func update(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                       learningRate lr: Float, step: Int, hyperparameters h: AdamHyperparameters) {
        let t = Double(step)
        let bias1 = 1 - pow(Double(h.beta1), t), bias2 = 1 - pow(Double(h.beta2), t)
        let stepSize = Float(Double(lr) / bias1)
        let bias2Root = Float(bias2.squareRoot())
        let oneMinusBeta1 = Float(1 - Double(h.beta1)), oneMinusBeta2 = Float(1 - Double(h.beta2))
        let beta2 = h.beta2, eps = h.epsilon
        let l2 = h.decoupledWeightDecay ? 0 : h.weightDecay
        let shrink = Float(1 - Double(lr) * Double(h.decoupledWeightDecay ? h.weightDecay : 0))
        // Eight lanes at a time, then the tail, with the same operations in the same order.
        var i = 0
        while i + 8 <= count {
            var grad = load8(g + i), theta = load8(p + i)
            if l2 != 0 { grad = grad + l2 * theta }
            if shrink != 1 { theta = theta * shrink }
            var first = load8(m + i)
            first = first + oneMinusBeta1 * (grad - first)
            let second = load8(v + i) * beta2 + oneMinusBeta2 * (grad * grad)
            let denom = second.squareRoot() / bias2Root + eps
            theta = theta - stepSize * (first / denom)
            store8(first, m + i); store8(second, v + i); store8(theta, p + i)
            i += 8
        }
        while i < count {
            var grad = g[i], theta = p[i]
            if l2 != 0 { grad = grad + l2 * theta }
            if shrink != 1 { theta = theta * shrink }
            let first = m[i] + oneMinusBeta1 * (grad - m[i])
            let second = v[i] * beta2 + oneMinusBeta2 * (grad * grad)
            let denom = second.squareRoot() / bias2Root + eps
            theta = theta - stepSize * (first / denom)
            m[i] = first; v[i] = second; p[i] = theta
            i += 1
        }
    }
}
