// Computes `LayerHealth` between batches, on the training thread, only while someone asks for it
// (`Trainer.setLayerHealth`). It reads the run's buffers and never writes them: a run's figures are
// bit-identical with the monitor on or off.
//
// The gradient: plain SGD folds it into the weights inside the backward GEMMs (`GradientTarget`),
// so no buffer ever holds it. On a report step the monitor computes it again, after the step, from
// what the backward pass left behind (each layer's input activations and output deltas, untouched
// until the next forward): the same GEMMs and kernels into a scratch buffer (`MLP.
// recomputeWeightGradients`). That is exact (unlike (θ_before - θ_after) / lr, which loses the
// small update to cancellation when |lr·g| << |θ|) and costs one weight-gradient pass, about a third
// of a step, on report steps only. Dead units are tracked on every step in between (see `observe`).
import CBLAS
import MNISTData

/// The layer-health state of one run: a gradient scratch buffer and, per hidden layer, the units
/// not yet seen active since the last report.
final class LayerHealthMonitor {
    let layerSizes: [Int]
    /// `[parameterCount]`: the recomputed gradient on report steps.
    private let gradients: UnsafeMutablePointer<Float>
    /// Per hidden layer l (the ReLU after linear layer l), the units that were zero for every
    /// sample since the last report, `pendingCount[l]` of them at the front.
    private let pending: [UnsafeMutablePointer<Int32>]
    private var pendingCount: [Int]

    /// Allocates the scratch buffers for `mlp` (once, when layer health is first asked for).
    init(mlp: MLP) {
        layerSizes = mlp.layerSizes
        gradients = .allocateZeroed(mlp.parameterCount)
        let hiddenLayers = mlp.layerCount - 1
        pending = (0..<hiddenLayers).map { .allocate(capacity: mlp.layerSizes[$0 + 1]) }
        pendingCount = Array(repeating: 0, count: hiddenLayers)
        reset()
    }

    deinit {
        gradients.deallocate()
        pending.forEach { $0.deallocate() }
    }

    /// Starts a new window: every hidden unit counts as dead until a sample makes it positive.
    func reset() {
        for l in pending.indices {
            let units = layerSizes[l + 1]
            for j in 0..<units { pending[l][j] = Int32(j) }
            pendingCount[l] = units
        }
    }

    /// After each trained batch: drops from the window's dead list the units this batch activated.
    /// Only units still on the list are looked at, so after the window's first batch this costs
    /// about `batch` reads per unit that is really dead (nothing for a healthy layer).
    func observe(_ mlp: MLP, batch: Int) {
        for l in pending.indices {
            let units = layerSizes[l + 1], a = UnsafePointer(mlp.activations[l + 1]), list = pending[l]
            var count = pendingCount[l], row = 0
            while count > 0 && row < batch {
                let values = a + row * units
                var i = 0
                while i < count {
                    if values[Int(list[i])] > 0 {
                        count -= 1
                        list[i] = list[count]
                    } else {
                        i += 1
                    }
                }
                row += 1
            }
            pendingCount[l] = count
        }
    }

    /// The figures of the batch just trained at global step `step` with learning rate `lr`, then a
    /// new window. `observe` must have seen that batch. The weights are the current ones; the
    /// gradient is recomputed (`gradientsReady`: it is already in `gradientBuffer`).
    func report(_ mlp: MLP, input: InputBatch, batch: Int, step: Int, learningRate lr: Float,
                gradientsReady: Bool = false) -> LayerHealth {
        if !gradientsReady { mlp.recomputeWeightGradients(input, batch: batch, into: gradients) }
        var layers: [LayerFigures] = []
        layers.reserveCapacity(mlp.layerCount)
        for l in 0..<mlp.layerCount {
            let weightCount = layerSizes[l] * layerSizes[l + 1], units = layerSizes[l + 1]
            let weightRMS = Self.rms(mlp.parameters + mlp.weightOffset(l), count: weightCount)
            let gradientRMS = Self.rms(gradients + mlp.weightOffset(l), count: weightCount)
            let (mean, std) = Self.meanAndStd(mlp.activations[l + 1], count: batch * units)
            let dead = l < pending.count ? Float(pendingCount[l]) / Float(units) : 0
            layers.append(LayerFigures(weightRMS: weightRMS, gradientRMS: gradientRMS,
                                       updateRatio: lr * gradientRMS / weightRMS,
                                       activationMean: mean, activationStd: std, deadFraction: dead))
        }
        reset()
        return LayerHealth(step: step, layers: layers)
    }

    /// Where a caller that runs its own backward pass (the step-0 report) puts the gradient.
    var gradientBuffer: GradientTarget { GradientTarget(buffer: gradients, alpha: 1, beta: 0) }

    /// sqrt(Σx² / count), summed in Double (BLAS's dsdot: a scalar loop took a third of a report).
    static func rms(_ x: UnsafePointer<Float>, count: Int) -> Float {
        let sum = cblas_dsdot(Int32(count), x, 1, x, 1)
        return Float((sum / Double(max(count, 1))).squareRoot())
    }

    /// The mean and the (population) standard deviation of `count` floats, summed in Double.
    static func meanAndStd(_ x: UnsafePointer<Float>, count: Int) -> (Float, Float) {
        let squares = cblas_dsdot(Int32(count), x, 1, x, 1)
        var sum = 0.0
        for i in 0..<count { sum += Double(x[i]) }
        let n = Double(max(count, 1)), mean = sum / n
        return (Float(mean), Float(max(squares / n - mean * mean, 0).squareRoot()))
    }
}
