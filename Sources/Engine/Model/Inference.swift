// One image through the model, every step kept: what the dashboard's forward-pass and drawing
// views show (issue 10). Plain Swift loops, no BLAS: one image is a few hundred thousand
// multiply-adds, and the UI thread must not share BLAS's threads with the trainer. Never used in
// training; it reads a copy of the weights (`Trainer.currentParameters`), so it cannot change the run.

/// A model's parameters as the engine packs them (`ParameterLayout`), copied out of a run or read
/// from a file, with a note of when they were taken.
public struct ModelWeights: Sendable, Equatable {
    public let layout: ParameterLayout
    /// `layout.count` floats: W0 [in, out], b0, W1, b1, ...
    public let parameters: [Float]
    /// The training step they are from (0: before training, or unknown for a file).
    public let step: Int

    /// nil unless `parameters` has exactly `layout.count` floats.
    public init?(layout: ParameterLayout, parameters: [Float], step: Int = 0) {
        guard parameters.count == layout.count else { return nil }
        self.layout = layout
        self.parameters = parameters
        self.step = step
    }

    /// Hidden unit `unit`'s incoming weights from layer `layer`'s inputs (`layerSizes[layer]`
    /// floats: for layer 0, one per pixel, row-major as the image).
    public func incomingWeights(layer: Int, unit: Int) -> [Float] {
        let sizes = layout.layerSizes
        guard sizes.indices.contains(layer + 1), (0..<sizes[layer + 1]).contains(unit) else { return [] }
        let fanOut = sizes[layer + 1], base = layout.weightOffsets[layer]
        return (0..<sizes[layer]).map { parameters[base + $0 * fanOut + unit] }
    }
}

/// Everything one image's forward pass computes.
public struct ForwardPass: Sendable, Equatable {
    /// The input as the first layer sees it: `byte / 255`, exactly as training scales it.
    public let input: [Float]
    /// Each hidden layer's output after its ReLU, in order (empty for a model without hidden layers).
    public let hidden: [[Float]]
    /// The last layer's outputs `z`, before softmax.
    public let logits: [Float]
    /// `softmax(z)`: `exp(z_i - max z) / Σ_j exp(z_j - max z)`.
    public let probabilities: [Float]

    /// The class with the largest logit (the first one on a tie, as the trainer's evaluation).
    public var predicted: Int {
        logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0
    }

    /// `p(label)`; 0 for a label outside the classes.
    public func probability(of label: Int) -> Float {
        probabilities.indices.contains(label) ? probabilities[label] : 0
    }

    /// The cross-entropy `-log p(label)`, computed as the trainer does (`log Σ exp(z - max) -
    /// (z_label - max)`), so it stays finite when p(label) underflows to 0.
    public func loss(label: Int) -> Float {
        guard logits.indices.contains(label) else { return .infinity }
        return ForwardPass.softmax(logits, label: label).loss
    }

    /// The softmax of `logits` and the cross-entropy of `label`, through the engine's own layer.
    static func softmax(_ logits: [Float], label: Int) -> (probabilities: [Float], loss: Float) {
        let classes = logits.count
        guard classes > 0 else { return ([], .infinity) }
        var probabilities = [Float](repeating: 0, count: classes)
        var loss: Float = 0
        var labels = [Int32(min(max(label, 0), classes - 1))]
        logits.withUnsafeBufferPointer { z in
            probabilities.withUnsafeMutableBufferPointer { p in
                withUnsafeMutablePointer(to: &loss) { l in
                    // `!`: both arrays hold classes > 0 floats, so their buffers have base addresses.
                    _ = SoftmaxCrossEntropy.forward(logits: z.baseAddress!, labels: &labels, batch: 1,
                                                    classes: classes, probabilities: p.baseAddress!, losses: l)
                }
            }
        }
        return (probabilities, loss)
    }
}

public enum Inference {
    /// `byte / 255`, the scaling training applies (`InputBatch`).
    public static func scaled(_ pixels: [UInt8]) -> [Float] {
        pixels.map { Float($0) / 255 }
    }

    /// One image (`layerSizes[0]` bytes) through `weights`; nil if the image has the wrong size.
    public static func forward(_ pixels: [UInt8], weights: ModelWeights) -> ForwardPass? {
        forward(scaled: scaled(pixels), weights: weights)
    }

    /// One image already scaled to [0, 1] through `weights`:
    ///
    ///     a[0] = x;  a[l+1] = ReLU(a[l]·W[l] + b[l]) for hidden layers;  z = a[L-1]·W[L-1] + b[L-1]
    ///
    /// nil if `input` does not have `layerSizes[0]` values.
    public static func forward(scaled input: [Float], weights: ModelWeights) -> ForwardPass? {
        let sizes = weights.layout.layerSizes
        guard input.count == sizes[0] else { return nil }
        var activation = input
        var hidden: [[Float]] = []
        let layers = sizes.count - 1
        for l in 0..<layers {
            var output = linear(activation, weights: weights, layer: l)
            if l < layers - 1 {
                for j in output.indices where !(output[j] > 0) { output[j] = 0 }
                hidden.append(output)
            }
            activation = output
        }
        let (probabilities, _) = ForwardPass.softmax(activation, label: 0)
        return ForwardPass(input: input, hidden: hidden, logits: activation, probabilities: probabilities)
    }

    /// `y = x·W[l] + b[l]`, row by row of W (`W` is [in, out]): each nonzero input adds its row,
    /// so the zero pixels and the inactive ReLUs cost nothing.
    private static func linear(_ x: [Float], weights: ModelWeights, layer l: Int) -> [Float] {
        let layout = weights.layout
        let fanIn = layout.layerSizes[l], fanOut = layout.layerSizes[l + 1]
        let w = layout.weightOffsets[l], b = layout.biasOffsets[l]
        var y = Array(weights.parameters[b..<(b + fanOut)])
        weights.parameters.withUnsafeBufferPointer { p in
            y.withUnsafeMutableBufferPointer { out in
                for i in 0..<fanIn where x[i] != 0 {
                    let xi = x[i]
                    let row = w + i * fanOut
                    for j in 0..<fanOut { out[j] += xi * p[row + j] }
                }
            }
        }
        return y
    }
}
