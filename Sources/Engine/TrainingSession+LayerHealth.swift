// When a run computes its layer-health figures (`LayerHealthMonitor` computes them): every N
// steps between batches and at each epoch's end, and once at step 0 for the initial network, only
// while asked for.

extension TrainingSession {
    /// Reports every `steps` steps from now on (nil: none; the monitor's buffers are allocated the
    /// first time). A new interval starts a new dead-unit window.
    func setLayerHealth(every steps: Int?) {
        guard let steps else { layerHealth = nil; return }
        guard layerHealth?.every != steps else { return }
        let monitor = layerHealth?.monitor ?? LayerHealthMonitor(mlp: mlp)
        monitor.reset()
        layerHealth = (steps, monitor)
    }

    /// Before the first batch of a fresh run: the figures of the initial network on the first
    /// batch (the one step 1 will train), through a forward and backward pass into the monitor's
    /// gradient buffer. Nothing of the run changes: step 1 gathers and computes that batch again.
    /// A run asked for layer health only later, or resumed, has no step-0 report.
    func reportInitialLayerHealth() {
        sentInitialLayerHealth = true
        guard let monitor = layerHealth?.monitor, position.step == 0, position.batchesDone == 0 else { return }
        let count = loadBatch(0)
        mlp.forward(input, batch: count)
        mlp.backward(input, batch: count, into: monitor.gradientBuffer)
        monitor.reset()
        monitor.observe(mlp, batch: count)
        emit(.layerHealth(monitor.report(mlp, input: input, batch: count, step: 0, learningRate: position.learningRate,
                                         gradientsReady: true)))
    }

    /// After each trained batch: tracks dead units, and sends the figures on every N-th step and
    /// on each epoch's last batch (so the figures an epoch ends with are that epoch's own).
    func observeLayerHealth(batch: Int, step: Int, learningRate: Float) {
        guard let (every, monitor) = layerHealth else { return }
        monitor.observe(mlp, batch: batch)
        guard step % every == 0 || position.batchesDone == info.batchesPerEpoch else { return }
        emit(.layerHealth(monitor.report(mlp, input: input, batch: batch, step: step, learningRate: learningRate)))
    }
}
