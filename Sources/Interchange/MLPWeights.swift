// The weights of a ReLU multilayer perceptron as plain arrays: what crosses the border between
// mnist-tui and other tools. Deliberately independent of Engine (its model types are its own
// business); the caller copies its parameters in and out.

/// The parameters of an MLP `Linear -> ReLU -> ... -> Linear`, in mnist-tui's layout.
///
/// Layer `l` maps `layerSizes[l]` inputs to `layerSizes[l + 1]` outputs:
///
///     weights[l]: [in, out] row-major, element (i, o) at i * out + o   (in = layerSizes[l])
///     biases[l]:  [out]                                                 (out = layerSizes[l + 1])
///
/// This is the transpose of PyTorch's `nn.Linear.weight` ([out, in]); the safetensors reader and
/// writer convert.
public struct MLPWeights: Sendable, Equatable {
    /// Input size, then each layer's output size: [784, 512, 256, 10] for mnist-tui's default.
    public let layerSizes: [Int]
    public let weights: [[Float]]
    public let biases: [[Float]]

    /// The number of `Linear` layers.
    public var layerCount: Int { layerSizes.count - 1 }

    /// Wraps arrays the caller built. Their counts are the caller's invariant (the engine's own
    /// parameters, or the reader's validated output), not input: a mismatch is a programming error
    /// and stops the program here, before a wrong file could be written.
    public init(layerSizes: [Int], weights: [[Float]], biases: [[Float]]) {
        precondition(layerSizes.count >= 2 && layerSizes.allSatisfy { $0 > 0 }, "MLPWeights: bad layer sizes \(layerSizes)")
        precondition(weights.count == layerSizes.count - 1 && biases.count == weights.count, "MLPWeights: one weight and bias per layer")
        for l in 0..<weights.count {
            precondition(weights[l].count == layerSizes[l] * layerSizes[l + 1], "MLPWeights: layer \(l) weight count")
            precondition(biases[l].count == layerSizes[l + 1], "MLPWeights: layer \(l) bias count")
        }
        self.layerSizes = layerSizes
        self.weights = weights
        self.biases = biases
    }

    /// Splits mnist-tui's packed parameter vector, `W0 [in, out], b0, W1, b1, ...` (the layout of
    /// Engine's `MLP.parameters` and of checkpoints), into layers. The count is the caller's
    /// invariant, as for the initializer above.
    public init(layerSizes: [Int], packed: [Float]) {
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        var at = 0
        for l in 0..<max(layerSizes.count - 1, 0) {
            let (inputs, outputs) = (layerSizes[l], layerSizes[l + 1])
            precondition(at + inputs * outputs + outputs <= packed.count, "MLPWeights: packed vector too short")
            weights.append(Array(packed[at..<(at + inputs * outputs)]))
            at += inputs * outputs
            biases.append(Array(packed[at..<(at + outputs)]))
            at += outputs
        }
        precondition(at == packed.count, "MLPWeights: packed vector too long")
        self.init(layerSizes: layerSizes, weights: weights, biases: biases)
    }

    /// The packed vector `W0, b0, W1, b1, ...` (for `MLP.load(parameters:)`).
    public var packed: [Float] {
        var out: [Float] = []
        out.reserveCapacity(weights.reduce(0) { $0 + $1.count } + biases.reduce(0) { $0 + $1.count })
        for l in 0..<layerCount { out += weights[l]; out += biases[l] }
        return out
    }

    /// The logits for one input (`input.count == layerSizes[0]`): ReLU between layers, none after the
    /// last. A plain reference implementation, for checks and small evaluations, not for speed.
    public func forward(_ input: [Float]) -> [Float] {
        precondition(input.count == layerSizes[0], "MLPWeights.forward: input size")
        var activation = input
        for l in 0..<layerCount {
            let (inCount, outCount) = (layerSizes[l], layerSizes[l + 1])
            var next = biases[l]
            for i in 0..<inCount where activation[i] != 0 {
                let a = activation[i]
                for o in 0..<outCount { next[o] += a * weights[l][i * outCount + o] }
            }
            if l < layerCount - 1 { for o in 0..<outCount { next[o] = max(next[o], 0) } }
            activation = next
        }
        return activation
    }
}
