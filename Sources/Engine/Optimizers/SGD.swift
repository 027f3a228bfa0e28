// Stochastic gradient descent with PyTorch's semantics (torch.optim.SGD, dampening 0), folded into
// the backward pass's weight-gradient GEMMs wherever it can be.

/// SGD:
///
///     g = ∇L + weightDecay·θ;   v = momentum·v + g;   θ -= lr·v      (momentum > 0)
///     θ = (1 - lr·weightDecay)·θ - lr·∇L                              (momentum = 0)
///
/// With momentum 0 the update is the fast path: folded into each layer's weight-gradient GEMM/GEMV
/// (alpha = -lr, beta = 1 - lr·wd, written straight into the parameters) after that layer's input
/// gradient has used the old weights; no gradient buffer, no extra pass. Plain SGD (no momentum, no
/// weight decay) also gathers batches compacted, so the first layer's GEMMs skip all-zero columns.
final class SGD: Optimizer {
    let momentum: Float
    let weightDecay: Float
    /// `velocity` when momentum > 0; nothing otherwise.
    let state: OptimizerState

    init(momentum: Float, weightDecay: Float, state: OptimizerState) {
        precondition(state.buffers.count == (momentum > 0 ? 1 : 0), "state made by TrainingConfig.makeOptimizer")
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.state = state
    }

    /// Only plain SGD: with momentum or weight decay every row of W0 changes every step, and those
    /// runs keep the uncompacted arithmetic they have always had (bit for bit).
    var gathersCompactedInput: Bool { momentum == 0 && weightDecay == 0 }

    func step(_ model: MLP, input: InputBatch, batch: Int, learningRate lr: Float) {
        state.step += 1
        if momentum == 0 {
            model.backward(input, batch: batch, into: GradientTarget(buffer: model.parameters, alpha: -lr,
                                                                     beta: 1 - lr * weightDecay))
            return
        }
        // v = momentum·v + ∇L (folded into the GEMM), then v += wd·θ and θ -= lr·v in one pass.
        let velocity = state.buffers[0], parameters = model.parameters
        model.backward(input, batch: batch, into: GradientTarget(buffer: velocity, alpha: 1, beta: momentum))
        for i in 0..<model.parameterCount {
            let v = velocity[i] + weightDecay * parameters[i]
            velocity[i] = v
            parameters[i] -= lr * v
        }
    }
}
