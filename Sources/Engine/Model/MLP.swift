// The multilayer perceptron: parameters and activations in preallocated buffers, initialisation,
// and forward/backward through the layer pairs. How the weight gradient is used (applied in place
// by plain SGD, accumulated into momentum, kept for Adam) is the optimiser's choice: see
// `GradientTarget` and Sources/Engine/Optimizers.
import CBLAS
import MNISTData

/// Where `MLP.backward` writes the weight and bias gradients, and how:
///
///     buffer[l] = beta·buffer[l] + alpha·∂L/∂θ[l]      for every layer l (`buffer` in `ParameterLayout`)
///
/// The GEMM that computes ∂L/∂W does this for free, so `buffer = parameters, alpha = -lr,
/// beta = 1 - lr·wd` *is* the plain SGD step, and `buffer = velocity, alpha = 1, beta = momentum`
/// is SGD's momentum accumulation; `alpha = 1, beta = 0` writes the plain gradient.
public struct GradientTarget {
    public var buffer: UnsafeMutablePointer<Float>
    public var alpha: Float
    public var beta: Float

    public init(buffer: UnsafeMutablePointer<Float>, alpha: Float, beta: Float) {
        self.buffer = buffer
        self.alpha = alpha
        self.beta = beta
    }
}

/// An MLP `layerSizes[0] -> ... -> layerSizes.last` with ReLU between layers and logits out.
///
/// Memory layout (every buffer allocated once in `init`, freed in `deinit`; nothing per batch):
///
///     parameters   one flat [Float] in `layout` (W0 [s0, s1], b0 [s1], W1 [s1, s2], b1 [s2], ...)
///     activations  a[l+1] = output of layer l [maxBatch, s(l+1)] (post-ReLU for hidden layers,
///                  logits for the last); a[0], the input, is the `InputBatch`'s
///     deltas       d[l] = ∂L/∂a[l] [maxBatch, s(l)] for l >= 1 (d[L] = ∂L/∂logits)
///     compactWeights [s0, s1] the rows of W0 for a compacted batch's active columns
///     probabilities [maxBatch, classes], losses [maxBatch], predictions [maxBatch] Int32
///
/// The first layer is where the batch's representation matters: its forward pass (in `forward`,
/// layer 0) and its weight gradient (`firstLayerGradient`) read what `InputBatch` gathered: the
/// batch's nonzero pixels (the sparse kernels of `SparseInput`, issue 12), or the dense input, full
/// or column-compacted (BLAS, `firstLayerOperands`). Nothing else depends on the form.
///
/// Not thread-safe; one owner (the trainer's queue) uses it at a time.
public final class MLP {
    public let layout: ParameterLayout
    public var layerSizes: [Int] { layout.layerSizes }
    /// The largest batch the buffers hold.
    public let maxBatch: Int
    /// Number of floats in `parameters` (weights and biases of every layer).
    public var parameterCount: Int { layout.count }

    public let parameters: UnsafeMutablePointer<Float>
    /// `activations[l]` for l in 1...L; index 0 is unused (the input is the `InputBatch`'s).
    let activations: [UnsafeMutablePointer<Float>]
    /// `deltas[l]` for l in 1...L; index 0 is unused (the input layer's dX is never computed).
    let deltas: [UnsafeMutablePointer<Float>]
    public let probabilities: UnsafeMutablePointer<Float>
    public let losses: UnsafeMutablePointer<Float>
    public let predictions: UnsafeMutablePointer<Int32>
    /// `maxBatch` ones: the bias gradient is a GEMV `dYᵀ·1`.
    let ones: UnsafeMutablePointer<Float>
    /// `[inputSize, layerSizes[1]]`: W0's rows for the active columns of a compacted batch
    /// (gathered by `forward`, scattered back by `backward` when updated in place).
    private let compactWeights: UnsafeMutablePointer<Float>

    public var layerCount: Int { layerSizes.count - 1 }
    public var inputSize: Int { layerSizes[0] }
    public var classCount: Int { layerSizes[layerSizes.count - 1] }

    /// Allocates every buffer for batches up to `maxBatch`. Parameters start at zero; call `initialize`.
    public init(layout: ParameterLayout, maxBatch: Int) {
        precondition(maxBatch > 0, "batch sizes are validated by TrainingConfig.validate before reaching here")
        self.layout = layout
        self.maxBatch = maxBatch
        let sizes = layout.layerSizes
        parameters = .allocateZeroed(layout.count)
        activations = sizes.enumerated().map { .allocateZeroed($0.offset == 0 ? 1 : maxBatch * $0.element) }
        deltas = sizes.enumerated().map { .allocateZeroed($0.offset == 0 ? 1 : maxBatch * $0.element) }
        let classes = sizes[sizes.count - 1]
        probabilities = .allocateZeroed(maxBatch * classes)
        losses = .allocateZeroed(maxBatch)
        predictions = .allocate(capacity: maxBatch); predictions.initialize(repeating: 0, count: maxBatch)
        ones = .allocate(capacity: maxBatch); ones.initialize(repeating: 1, count: maxBatch)
        compactWeights = .allocateZeroed(sizes[0] * sizes[1])
    }

    /// `layerSizes` must have at least two entries, all > 0 (the trainer validates this first).
    public convenience init(layerSizes: [Int], maxBatch: Int) {
        guard let layout = ParameterLayout(layerSizes: layerSizes) else {
            preconditionFailure("MLP shapes are validated by TrainingConfig.validate before reaching here")
        }
        self.init(layout: layout, maxBatch: maxBatch)
    }

    deinit {
        parameters.deallocate()
        activations.forEach { $0.deallocate() }; deltas.forEach { $0.deallocate() }
        probabilities.deallocate(); losses.deallocate(); predictions.deallocate()
        ones.deallocate(); compactWeights.deallocate()
    }

    // MARK: Parameters

    /// Offset of layer `l`'s weights `[layerSizes[l], layerSizes[l+1]]` in `parameters`.
    public func weightOffset(_ l: Int) -> Int { layout.weightOffsets[l] }
    /// Offset of layer `l`'s bias `[layerSizes[l+1]]` in `parameters`.
    public func biasOffset(_ l: Int) -> Int { layout.biasOffsets[l] }

    /// The logits of the last forward pass `[maxBatch, classes]`.
    public var logits: UnsafePointer<Float> { UnsafePointer(activations[layerCount]) }

    /// A copy of the parameters (allocates: for checkpoints and tests, not the hot loop).
    public func parameterArray() -> [Float] { Array(UnsafeBufferPointer(start: parameters, count: parameterCount)) }

    /// Overwrites the parameters from an array of `parameterCount` floats.
    public func load(parameters source: [Float]) {
        precondition(source.count == parameterCount, "parameter count checked by the caller")
        // `!`: the array holds parameterCount > 0 floats (ParameterLayout's sizes are all > 0), so
        // its buffer has a base address.
        source.withUnsafeBufferPointer { parameters.update(from: $0.baseAddress!, count: parameterCount) }
    }

    // MARK: Initialisation

    /// Draws every weight and bias from `generator`, layer by layer (weights row-major, then bias).
    public func initialize(_ scheme: InitScheme, generator: inout SeededGenerator) {
        for l in 0..<layerCount {
            let fanIn = layerSizes[l], fanOut = layerSizes[l + 1]
            let w = parameters + weightOffset(l), b = parameters + biasOffset(l)
            let pytorchBound = 1 / Double(fanIn).squareRoot()
            func uniform(_ bound: Double) -> Float { Float((2 * generator.nextUnitDouble() - 1) * bound) }
            switch scheme {
            case .normal:
                for i in 0..<(fanIn * fanOut) { w[i] = Float(generator.nextNormal() * 0.01) }
                for j in 0..<fanOut { b[j] = uniform(pytorchBound) }
            case .default:
                for i in 0..<(fanIn * fanOut) { w[i] = uniform(pytorchBound) }
                for j in 0..<fanOut { b[j] = uniform(pytorchBound) }
            case .xavier:
                let bound = (6 / Double(fanIn + fanOut)).squareRoot()
                for i in 0..<(fanIn * fanOut) { w[i] = uniform(bound) }
                for j in 0..<fanOut { b[j] = 0 }
            case .he:
                let std = (2 / Double(fanIn)).squareRoot()
                for i in 0..<(fanIn * fanOut) { w[i] = Float(generator.nextNormal() * std) }
                for j in 0..<fanOut { b[j] = 0 }
            }
        }
    }

    // MARK: Forward

    /// Forward pass over the first `batch` rows of `input`, then softmax cross-entropy against its
    /// labels. Fills `probabilities`, `losses`, `predictions`; returns the summed loss.
    @discardableResult
    public func forward(_ input: InputBatch, batch: Int) -> Double {
        let pool = input.hiddenLayerPool
        for l in 0..<layerCount {
            let b = UnsafePointer(parameters + biasOffset(l))
            if l == 0, let sparse = input.sparseBatch {
                // Z1 = X·W0 + b0 over each image's nonzero pixels only, the ReLU fused.
                precondition(batch == sparse.batch, "a sparse batch is run whole (the trainer's callers do)")
                sparse.forward(weights: parameters + weightOffset(0), bias: b, output: activations[1],
                               hidden: layerSizes[1], relu: layerCount > 1)
                continue
            }
            let x: UnsafePointer<Float>, w: UnsafePointer<Float>, inFeatures: Int
            if l == 0 {
                (x, w, inFeatures) = firstLayerOperands(input)
            } else {
                (x, w, inFeatures) = (UnsafePointer(activations[l]), UnsafePointer(parameters + weightOffset(l)), layerSizes[l])
            }
            if l > 0, let pool {
                ParallelLinear.forward(input: x, weights: w, bias: b, output: activations[l + 1], batch: batch,
                                       inFeatures: inFeatures, outFeatures: layerSizes[l + 1],
                                       relu: l < layerCount - 1, pool: pool)
            } else if l < layerCount - 1 {
                Linear.forwardReLU(input: x, weights: w, bias: b, output: activations[l + 1],
                                   batch: batch, inFeatures: inFeatures, outFeatures: layerSizes[l + 1])
            } else {
                Linear.forward(input: x, weights: w, bias: b, output: activations[l + 1],
                               batch: batch, inFeatures: inFeatures, outFeatures: layerSizes[l + 1])
            }
        }
        return SoftmaxCrossEntropy.forward(logits: activations[layerCount], labels: input.labels, batch: batch,
                                           classes: classCount, probabilities: probabilities, losses: losses,
                                           predictions: predictions)
    }

    /// The first layer's X, W and fan-in: the full input and W0, or, for a compacted batch, its
    /// active columns and W0's rows for them (gathered here into `compactWeights`).
    private func firstLayerOperands(_ input: InputBatch) -> (UnsafePointer<Float>, UnsafePointer<Float>, Int) {
        let count = input.activeColumnCount
        guard count > 0 else { return (UnsafePointer(input.input), UnsafePointer(parameters + weightOffset(0)), inputSize) }
        let hidden = layerSizes[1]
        let w0 = parameters + weightOffset(0)
        for c in 0..<count {
            (compactWeights + c * hidden).update(from: w0 + Int(input.activeColumns[c]) * hidden, count: hidden)
        }
        return (UnsafePointer(input.compactInput), UnsafePointer(compactWeights), count)
    }

    // MARK: Backward

    /// Backpropagation of the mean batch loss of the last `forward(input, batch:)`, from the logits
    /// down. Layer l's gradient goes to `target` right after layer l's input gradient (which needs
    /// the old weights) is computed, so an in-place update (target = parameters) is safe.
    public func backward(_ input: InputBatch, batch: Int, into target: GradientTarget) {
        SoftmaxCrossEntropy.backward(probabilities: probabilities, labels: input.labels, batch: batch,
                                     classes: classCount, dLogits: deltas[layerCount])
        let pool = input.hiddenLayerPool
        for l in stride(from: layerCount - 1, through: 1, by: -1) {
            let dy = UnsafePointer(deltas[l + 1])
            if let pool {
                ParallelLinear.inputGradientReLU(dOutput: dy, weights: parameters + weightOffset(l),
                                                 activations: activations[l], dInput: deltas[l], batch: batch,
                                                 inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], pool: pool)
                ParallelLinear.parameterGradient(input: activations[l], dOutput: dy,
                                                 dWeights: target.buffer + weightOffset(l),
                                                 dBias: target.buffer + biasOffset(l), alpha: target.alpha,
                                                 beta: target.beta, batch: batch, inFeatures: layerSizes[l],
                                                 outFeatures: layerSizes[l + 1], ones: ones, pool: pool)
                continue
            }
            // dX = dY·Wᵀ, then through the ReLU that produced a[l] (mask from its output).
            Linear.inputGradient(dOutput: dy, weights: parameters + weightOffset(l), dInput: deltas[l],
                                 batch: batch, inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1])
            ReLU.backward(output: activations[l], gradient: deltas[l], count: batch * layerSizes[l])
            Linear.parameterGradient(input: activations[l], dOutput: dy, dWeights: target.buffer + weightOffset(l),
                                     dBias: target.buffer + biasOffset(l), alpha: target.alpha, beta: target.beta,
                                     batch: batch, inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
        }
        firstLayerGradient(input, dOutput: deltas[1], batch: batch, into: target)
    }

    /// ∂L/∂W0 and ∂L/∂b0 into `target`. For a sparse batch the kernels do it over each pixel's
    /// images, with the same (buffer, alpha, beta) contract as the GEMM (so SGD's fused step, the
    /// momentum accumulation and the plain gradient all come out of one call). For a compacted
    /// batch the GEMM runs over the active columns only, on their rows of the target gathered into
    /// `compactWeights`, which are then scattered back; the other rows get no gradient (they are
    /// scaled by `beta` only).
    private func firstLayerGradient(_ input: InputBatch, dOutput dy: UnsafePointer<Float>, batch: Int,
                                    into target: GradientTarget) {
        let count = input.activeColumnCount, hidden = layerSizes[1]
        let rows = target.buffer + weightOffset(0), bias = target.buffer + biasOffset(0)
        if let sparse = input.sparseBatch {
            sparse.update(dOutput: dy, weights: rows, bias: bias, hidden: hidden, alpha: target.alpha, beta: target.beta)
            return
        }
        guard count > 0 else {
            Linear.parameterGradient(input: input.input, dOutput: dy, dWeights: rows, dBias: bias,
                                     alpha: target.alpha, beta: target.beta, batch: batch,
                                     inFeatures: inputSize, outFeatures: hidden, ones: ones)
            return
        }
        // In place on the parameters, `compactWeights` already holds the rows (gathered by forward).
        if target.buffer != parameters && target.beta != 0 {
            for c in 0..<count {
                (compactWeights + c * hidden).update(from: rows + Int(input.activeColumns[c]) * hidden, count: hidden)
            }
        }
        Linear.parameterGradient(input: input.compactInput, dOutput: dy, dWeights: compactWeights, dBias: bias,
                                 alpha: target.alpha, beta: target.beta, batch: batch,
                                 inFeatures: count, outFeatures: hidden, ones: ones)
        for c in 0..<count {
            (rows + Int(input.activeColumns[c]) * hidden).update(from: compactWeights + c * hidden, count: hidden)
        }
        guard target.beta != 1 else { return }
        var next = 0
        for j in 0..<inputSize {
            if next < count && Int(input.activeColumns[next]) == j { next += 1; continue }
            let row = rows + j * hidden
            if target.beta == 0 {
                row.update(repeating: 0, count: hidden)
            } else {
                for k in 0..<hidden { row[k] *= target.beta }
            }
        }
    }

    /// The weight and bias gradients of the last `backward` into `gradients` (`parameterCount`
    /// floats), computed again from the activations and deltas that pass left behind (its input
    /// gradients are not recomputed), whatever that pass did with them: for the layer-health figures
    /// of a step whose gradient plain SGD folded into the weights. Same GEMMs and kernels as the
    /// backward pass, so the same gradient; the parameters are untouched (`compactWeights` is used as
    /// scratch: the next `forward` gathers it again).
    func recomputeWeightGradients(_ input: InputBatch, batch: Int, into gradients: UnsafeMutablePointer<Float>) {
        for l in 1..<layerCount {
            Linear.parameterGradient(input: activations[l], dOutput: deltas[l + 1], dWeights: gradients + weightOffset(l),
                                     dBias: gradients + biasOffset(l), alpha: 1, beta: 0, batch: batch,
                                     inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
        }
        firstLayerGradient(input, dOutput: deltas[1], batch: batch, into: GradientTarget(buffer: gradients, alpha: 1, beta: 0))
    }

    /// The gradient of the mean batch loss into `gradients` (`parameterCount` floats), parameters
    /// untouched (gradient checks, Adam).
    public func computeGradients(_ input: InputBatch, batch: Int, into gradients: UnsafeMutablePointer<Float>) {
        backward(input, batch: batch, into: GradientTarget(buffer: gradients, alpha: 1, beta: 0))
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// `count` zeros on a 64-byte (cache line) boundary, freed with `deallocate()` (which takes the
    /// runtime's aligned path whatever the alignment). malloc's 16-byte alignment can put half of
    /// the kernels' 32-byte loads from a packed panel across two cache lines: aligned, the sparse
    /// kernels ran 10% faster alone and the engine's step 1-2% faster (Zen 2, AVX2).
    static func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let floats = Swift.max(count, 1)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: floats)
        pointer.initialize(repeating: 0, count: floats)
        return pointer
    }
}
