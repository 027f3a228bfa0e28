// EXPERIMENTAL HOOK (issue 12, round 1), for mnist-tui-bench only: the first layer's step as the
// engine runs it today, so the benchmark can time the sparse kernels (SparseInput) against it on the
// same batches. It repeats the compacted first-layer part of `MLP.sgdStep`; when the sparse kernels
// are wired into the engine (round 2) this goes, and the benchmark times the engine's own step.
import MNISTData

extension MLP {
    /// The plain-SGD trainer's first layer on one batch, dense: `loadBatchCompacted` (the gather, with
    /// all-zero input columns skipped when that pays), `Z1 = max(X·W0 + b0, 0)` into the first hidden
    /// activations, then the fused step `W0 -= lr·Xᵀ·dZ1`, `b0 -= lr·Σ dZ1` with `dOutput` as dZ1
    /// `[batch, layerSizes[1]]` (rows of W0 gathered before and scattered back after, as `sgdStep` does).
    public func denseFirstLayerStep(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>,
                                    dOutput: UnsafePointer<Float>, learningRate lr: Float) {
        loadBatchCompacted(images, indices: indices)
        let batch = indices.count, hidden = layerSizes[1]
        let w0 = parameters + weightOffset(0), b0 = parameters + biasOffset(0)
        let count = activeColumnCount
        let x = UnsafePointer(count > 0 ? compactInput : input), w = count > 0 ? compactWeights : w0
        let inFeatures = count > 0 ? count : inputSize
        Linear.forwardReLU(input: x, weights: w, bias: b0, output: activations[1], batch: batch,
                           inFeatures: inFeatures, outFeatures: hidden)
        Linear.parameterGradient(input: x, dOutput: dOutput, dWeights: w, dBias: b0, alpha: -lr, beta: 1,
                                 batch: batch, inFeatures: inFeatures, outFeatures: hidden, ones: ones)
        for c in 0..<count {
            (w0 + Int(activeColumns[c]) * hidden).update(from: compactWeights + c * hidden, count: hidden)
        }
    }
}
