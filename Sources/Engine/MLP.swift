// The multilayer perceptron: parameters, activations and gradients in preallocated buffers,
// forward/backward through the layer pairs, and the SGD step (folded into the GEMMs when it can be).
import CBLAS
import MNISTData

/// An MLP `layerSizes[0] -> ... -> layerSizes.last` with ReLU between layers and logits out.
///
/// Memory layout (every buffer allocated once in `init`, freed in `deinit`; nothing per batch):
///
///     parameters   one flat [Float]: W0 [s0, s1], b0 [s1], W1 [s1, s2], b1 [s2], ...
///                  (row-major, W as [in, out]; see `weightOffset(_:)`, `biasOffset(_:)`)
///     gradients    same layout (filled by `computeGradients`; the fused step does not need it)
///     velocity     same layout (momentum buffers; zero until momentum is used)
///     activations  a[0] = input batch [maxBatch, s0]; a[l+1] = output of layer l [maxBatch, s(l+1)]
///                  (post-ReLU for hidden layers, logits for the last)
///     deltas       d[l] = ∂L/∂a[l] [maxBatch, s(l)] for l >= 1 (d[L] = ∂L/∂logits)
///     probabilities [maxBatch, classes], losses [maxBatch], labels/predictions [maxBatch] Int32
///
/// Not thread-safe; one owner (the trainer's queue) uses it at a time.
public final class MLP {
    public let layerSizes: [Int]
    /// The largest batch the buffers hold.
    public let maxBatch: Int
    /// Number of floats in `parameters` (weights and biases of every layer).
    public let parameterCount: Int

    public let parameters: UnsafeMutablePointer<Float>
    public let gradients: UnsafeMutablePointer<Float>
    public let velocity: UnsafeMutablePointer<Float>
    let activations: [UnsafeMutablePointer<Float>]
    /// `deltas[l]` for l in 1...L; index 0 is unused (the input layer's dX is never computed).
    let deltas: [UnsafeMutablePointer<Float>]
    public let probabilities: UnsafeMutablePointer<Float>
    public let losses: UnsafeMutablePointer<Float>
    public let labels: UnsafeMutablePointer<Int32>
    public let predictions: UnsafeMutablePointer<Int32>
    /// `maxBatch` ones: the bias gradient is a GEMV `dYᵀ·1`.
    let ones: UnsafeMutablePointer<Float>
    private let weightOffsets: [Int]
    private let biasOffsets: [Int]

    // MARK: Input-column compaction (see `compactInputColumns`)
    /// `[maxBatch, inputSize]`: the input batch restricted to its active columns.
    let compactInput: UnsafeMutablePointer<Float>
    /// `[inputSize, layerSizes[1]]`: the rows of W0 for the active columns.
    let compactWeights: UnsafeMutablePointer<Float>
    /// Per input column: max over the batch (0 = the column is zero in every row).
    private let columnMax: UnsafeMutablePointer<Float>
    let activeColumns: UnsafeMutablePointer<Int32>
    /// Per input column: OR of its pixel bytes over the batch (0 = zero in every row).
    private let columnBits: UnsafeMutablePointer<UInt8>
    /// `pixelScale[b] == Float(b) / 255`, the very values `scalePixels` computes (a table, so the
    /// compacted gather converts a pixel with one load instead of a division).
    private let pixelScale: UnsafeMutablePointer<Float>
    /// False after `loadBatchCompacted` compacted the batch: the full input buffer was not filled,
    /// so only the compacted forward pass and plain-SGD step may follow.
    private var fullInputLoaded = true
    /// Active columns of the current batch when compacted; 0 = not compacted (use the full input).
    public private(set) var activeColumnCount = 0

    public var layerCount: Int { layerSizes.count - 1 }
    public var inputSize: Int { layerSizes[0] }
    public var classCount: Int { layerSizes[layerSizes.count - 1] }

    /// Allocates every buffer for batches up to `maxBatch`. Parameters start at zero; call `initialize`.
    /// `layerSizes` must have at least two entries, all > 0 (the trainer validates this first).
    public init(layerSizes: [Int], maxBatch: Int) {
        precondition(layerSizes.count >= 2 && layerSizes.allSatisfy { $0 > 0 } && maxBatch > 0,
                     "MLP shapes are validated by TrainingConfig.validate before reaching here")
        self.layerSizes = layerSizes
        self.maxBatch = maxBatch
        var offset = 0
        var wOffsets: [Int] = [], bOffsets: [Int] = []
        for l in 0..<(layerSizes.count - 1) {
            wOffsets.append(offset); offset += layerSizes[l] * layerSizes[l + 1]
            bOffsets.append(offset); offset += layerSizes[l + 1]
        }
        weightOffsets = wOffsets
        biasOffsets = bOffsets
        parameterCount = offset
        parameters = .allocateZeroed(offset)
        gradients = .allocateZeroed(offset)
        velocity = .allocateZeroed(offset)
        activations = layerSizes.map { .allocateZeroed(maxBatch * $0) }
        deltas = layerSizes.enumerated().map { .allocateZeroed($0.offset == 0 ? 1 : maxBatch * $0.element) }
        let classes = layerSizes[layerSizes.count - 1]
        probabilities = .allocateZeroed(maxBatch * classes)
        losses = .allocateZeroed(maxBatch)
        labels = .allocate(capacity: maxBatch); labels.initialize(repeating: 0, count: maxBatch)
        predictions = .allocate(capacity: maxBatch); predictions.initialize(repeating: 0, count: maxBatch)
        ones = .allocate(capacity: maxBatch); ones.initialize(repeating: 1, count: maxBatch)
        compactInput = .allocateZeroed(maxBatch * layerSizes[0])
        compactWeights = .allocateZeroed(layerSizes[0] * layerSizes[1])
        columnMax = .allocateZeroed(layerSizes[0])
        activeColumns = .allocate(capacity: layerSizes[0]); activeColumns.initialize(repeating: 0, count: layerSizes[0])
        columnBits = .allocate(capacity: layerSizes[0]); columnBits.initialize(repeating: 0, count: layerSizes[0])
        pixelScale = .allocate(capacity: 256)
        for byte in 0..<256 { pixelScale[byte] = Float(byte) / 255 }
    }

    deinit {
        parameters.deallocate(); gradients.deallocate(); velocity.deallocate()
        activations.forEach { $0.deallocate() }; deltas.forEach { $0.deallocate() }
        probabilities.deallocate(); losses.deallocate(); labels.deallocate(); predictions.deallocate()
        ones.deallocate()
        compactInput.deallocate(); compactWeights.deallocate(); columnMax.deallocate(); activeColumns.deallocate()
        columnBits.deallocate(); pixelScale.deallocate()
    }

    // MARK: Parameter layout

    /// Offset of layer `l`'s weights `[layerSizes[l], layerSizes[l+1]]` in `parameters`.
    public func weightOffset(_ l: Int) -> Int { weightOffsets[l] }
    /// Offset of layer `l`'s bias `[layerSizes[l+1]]` in `parameters`.
    public func biasOffset(_ l: Int) -> Int { biasOffsets[l] }

    /// The input batch buffer `[maxBatch, inputSize]` (tests fill it directly).
    public var input: UnsafeMutablePointer<Float> { activations[0] }
    /// The logits of the last forward pass `[maxBatch, classes]`.
    public var logits: UnsafePointer<Float> { UnsafePointer(activations[layerSizes.count - 1]) }

    /// Copies of the parameters / velocity (allocates: for checkpoints and tests, not the hot loop).
    public func parameterArray() -> [Float] { Array(UnsafeBufferPointer(start: parameters, count: parameterCount)) }
    public func velocityArray() -> [Float] { Array(UnsafeBufferPointer(start: velocity, count: parameterCount)) }

    /// Overwrites parameters (and optionally velocity) from arrays of `parameterCount` floats.
    public func load(parameters source: [Float], velocity sourceVelocity: [Float]? = nil) {
        precondition(source.count == parameterCount, "parameter count checked by the caller")
        source.withUnsafeBufferPointer { parameters.update(from: $0.baseAddress!, count: parameterCount) }
        if let sourceVelocity {
            precondition(sourceVelocity.count == parameterCount, "velocity count checked by the caller")
            sourceVelocity.withUnsafeBufferPointer { velocity.update(from: $0.baseAddress!, count: parameterCount) }
        } else {
            velocity.update(repeating: 0, count: parameterCount)
        }
    }

    // MARK: Initialisation

    /// Draws every weight and bias from `generator`, layer by layer (weights row-major, then bias).
    public func initialize(_ scheme: InitScheme, generator: inout SeededGenerator) {
        for l in 0..<layerCount {
            let fanIn = layerSizes[l], fanOut = layerSizes[l + 1]
            let w = parameters + weightOffsets[l], b = parameters + biasOffsets[l]
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
        velocity.update(repeating: 0, count: parameterCount)
    }

    // MARK: Batches

    /// Gathers images `indices` of `images` into the input buffer, scaled to [0, 1], and their labels.
    /// Indices must be valid and `indices.count <= maxBatch` (the trainer guarantees both).
    public func loadBatch(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        gather(images, rows: indices)
    }

    /// Gathers the contiguous images `range` (evaluation).
    public func loadBatch(_ images: LabeledImages, range: Range<Int>) {
        gather(images, rows: range)
    }

    /// Row `k` of the input buffer and label `k` come from image `rows[k]` (specialised per caller).
    private func gather<Rows: Sequence>(_ images: LabeledImages, rows: Rows) where Rows.Element: BinaryInteger {
        activeColumnCount = 0
        fullInputLoaded = true
        let size = inputSize
        let x = activations[0]
        images.pixels.withUnsafeBufferPointer { pixels in
            images.labels.withUnsafeBufferPointer { imageLabels in
                guard let source = pixels.baseAddress, let labelBase = imageLabels.baseAddress else { return }
                for (row, element) in rows.enumerated() {
                    let index = Int(element)
                    scalePixels(source + index * size, into: x + row * size, count: size)
                    labels[row] = Int32(labelBase[index])
                }
            }
        }
    }

    /// `x[i] = Float(bytes[i]) / 255` (a true division, as numpy's `/ 255.0` on float32 would give).
    @inline(__always)
    private func scalePixels(_ bytes: UnsafePointer<UInt8>, into x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let scale = SIMD8<Float>(repeating: 255)
        while i + 8 <= count {
            let raw = UnsafeRawPointer(bytes + i).loadUnaligned(as: SIMD8<UInt8>.self)
            store8(SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: raw)) / scale, x + i)
            i += 8
        }
        while i < count {
            x[i] = Float(bytes[i]) / 255
            i += 1
        }
    }

    /// Restricts the first layer to the input columns that are non-zero somewhere in the batch
    /// (call after `loadBatch`, before `forward`). On MNIST about 29% of the 784 pixels are zero in
    /// every image of a 256-batch; they add nothing to X·W0 and their rows of W0 get no gradient, so
    /// both first-layer GEMMs shrink by that much (the weights' rows are gathered before and
    /// scattered back after the step: 2 x 1.1 MB of copies against ~0.5 ms of GEMM saved).
    ///
    /// Exact in real arithmetic; in Float the GEMM's summation order changes with the shapes, so
    /// results differ from the uncompacted path in the last bits (deterministically).
    /// Used for plain SGD only: with momentum or weight decay every row of W0 changes every step,
    /// and `sgdStep` then ignores the compaction (the full input is kept), which is still correct.
    /// Does nothing when fewer than 1/8 of the columns are inactive.
    public func compactInputColumns(batch: Int) {
        let size = inputSize
        let x = activations[0]
        columnMax.update(repeating: 0, count: size)
        for row in 0..<batch {
            let xRow = x + row * size
            var j = 0
            while j + 8 <= size {
                let current = load8(columnMax + j), value = load8(xRow + j)
                store8(current.replacing(with: value, where: value .> current), columnMax + j)
                j += 8
            }
            while j < size { columnMax[j] = max(columnMax[j], xRow[j]); j += 1 }
        }
        var count = 0
        for j in 0..<size where columnMax[j] != 0 {
            activeColumns[count] = Int32(j)
            count += 1
        }
        guard count > 0, count <= size - size / 8 else { return }
        for row in 0..<batch {
            let xRow = x + row * size, cRow = compactInput + row * count
            for c in 0..<count { cRow[c] = xRow[Int(activeColumns[c])] }
        }
        gatherFirstLayerRows(count: count)
    }

    /// `loadBatch(_:indices:)` and `compactInputColumns(batch:)` in one, from the pixel bytes: finds
    /// the active columns by OR-ing the batch's bytes, then scales only those pixels, straight into
    /// the compacted input (the same Float values, so the same run bit for bit, without scaling,
    /// scanning and copying the full float batch). When compaction does not pay (see
    /// `compactInputColumns`) it loads the full batch instead, exactly as `loadBatch` does.
    ///
    /// After a compacted load the full input buffer is *not* filled: only `forward` and the plain-SGD
    /// `sgdStep` (momentum and weight decay 0) may follow; the trainer uses it for plain SGD only.
    public func loadBatchCompacted(_ images: LabeledImages, indices: UnsafeBufferPointer<Int32>) {
        activeColumnCount = 0
        fullInputLoaded = true
        let size = inputSize
        images.pixels.withUnsafeBufferPointer { pixels in
            images.labels.withUnsafeBufferPointer { imageLabels in
                guard let source = pixels.baseAddress, let labelBase = imageLabels.baseAddress else { return }
                // Which columns are non-zero anywhere in the batch (16 bytes at a time).
                columnBits.update(repeating: 0, count: size)
                for (row, index) in indices.enumerated() {
                    let image = source + Int(index) * size
                    var j = 0
                    while j + 16 <= size {
                        let bits = UnsafeRawPointer(columnBits + j).loadUnaligned(as: SIMD16<UInt8>.self)
                        let bytes = UnsafeRawPointer(image + j).loadUnaligned(as: SIMD16<UInt8>.self)
                        UnsafeMutableRawPointer(columnBits + j).storeBytes(of: bits | bytes, as: SIMD16<UInt8>.self)
                        j += 16
                    }
                    while j < size { columnBits[j] |= image[j]; j += 1 }
                    labels[row] = Int32(labelBase[Int(index)])
                }
                var count = 0
                for j in 0..<size where columnBits[j] != 0 {
                    activeColumns[count] = Int32(j)
                    count += 1
                }
                guard count > 0, count <= size - size / 8 else {
                    let x = activations[0]
                    for (row, index) in indices.enumerated() {
                        scalePixels(source + Int(index) * size, into: x + row * size, count: size)
                    }
                    return
                }
                for (row, index) in indices.enumerated() {
                    let image = source + Int(index) * size, cRow = compactInput + row * count
                    for c in 0..<count { cRow[c] = pixelScale[Int(image[Int(activeColumns[c])])] }
                }
                gatherFirstLayerRows(count: count)
                fullInputLoaded = false
            }
        }
    }

    /// Copies the rows of W0 for the `count` active columns into `compactWeights` and marks the
    /// batch compacted (`sgdStep` scatters them back after updating them).
    private func gatherFirstLayerRows(count: Int) {
        let hidden = layerSizes[1]
        let w0 = parameters + weightOffsets[0]
        for c in 0..<count {
            (compactWeights + c * hidden).update(from: w0 + Int(activeColumns[c]) * hidden, count: hidden)
        }
        activeColumnCount = count
    }

    // MARK: Forward / backward

    /// Forward pass over the first `batch` rows of the input buffer, then softmax cross-entropy
    /// against `labels`. Fills `probabilities`, `losses`, `predictions`; returns the summed loss.
    @discardableResult
    public func forward(batch: Int) -> Double {
        for l in 0..<layerCount {
            let w = UnsafePointer(parameters + weightOffsets[l]), b = UnsafePointer(parameters + biasOffsets[l])
            if l == 0 && activeColumnCount > 0 {
                // [batch, active] x [active, s1]: the compacted first layer (ReLU follows unless it is the last).
                if layerCount > 1 {
                    Linear.forwardReLU(input: compactInput, weights: compactWeights, bias: b, output: activations[1],
                                       batch: batch, inFeatures: activeColumnCount, outFeatures: layerSizes[1])
                } else {
                    Linear.forward(input: compactInput, weights: compactWeights, bias: b, output: activations[1],
                                   batch: batch, inFeatures: activeColumnCount, outFeatures: layerSizes[1])
                }
            } else if l < layerCount - 1 {
                Linear.forwardReLU(input: activations[l], weights: w, bias: b, output: activations[l + 1],
                                   batch: batch, inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1])
            } else {
                Linear.forward(input: activations[l], weights: w, bias: b, output: activations[l + 1],
                               batch: batch, inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1])
            }
        }
        return SoftmaxCrossEntropy.forward(logits: activations[layerCount], labels: labels, batch: batch,
                                           classes: classCount, probabilities: probabilities, losses: losses,
                                           predictions: predictions)
    }

    /// Gradient of the mean batch loss into `gradients` (after `forward(batch:)`), without touching
    /// the parameters. Used by gradient checks and the momentum path.
    public func computeGradients(batch: Int) {
        precondition(fullInputLoaded, "a batch compacted by loadBatchCompacted has no full input for computeGradients")
        backward(batch: batch) { l, x, dy in
            Linear.parameterGradient(input: x, dOutput: dy, dWeights: gradients + weightOffsets[l],
                                     dBias: gradients + biasOffsets[l], alpha: 1, beta: 0, batch: batch,
                                     inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
        }
    }

    /// One SGD step on the batch of the last `forward(batch:)` (PyTorch's SGD semantics, dampening 0):
    ///
    ///     g = ∇L + weightDecay·θ;   v = momentum·v + g;   θ -= lr·v      (momentum > 0)
    ///     θ = (1 - lr·weightDecay)·θ - lr·∇L                              (momentum = 0)
    ///
    /// With momentum 0 the update is folded into each layer's weight-gradient GEMM/GEMV
    /// (alpha = -lr, beta = 1 - lr·wd) after that layer's input gradient has used the old weights.
    public func sgdStep(batch: Int, learningRate lr: Float, momentum: Float, weightDecay: Float) {
        if momentum == 0 && weightDecay == 0 && activeColumnCount > 0 {
            let count = activeColumnCount, hidden = layerSizes[1]
            backward(batch: batch) { l, x, dy in
                if l == 0 {
                    // Update the gathered rows of W0, then scatter them back; inactive rows keep their values.
                    Linear.parameterGradient(input: compactInput, dOutput: dy, dWeights: compactWeights,
                                             dBias: parameters + biasOffsets[0], alpha: -lr, beta: 1, batch: batch,
                                             inFeatures: count, outFeatures: hidden, ones: ones)
                    let w0 = parameters + weightOffsets[0]
                    for c in 0..<count {
                        (w0 + Int(activeColumns[c]) * hidden).update(from: compactWeights + c * hidden, count: hidden)
                    }
                } else {
                    Linear.parameterGradient(input: x, dOutput: dy, dWeights: parameters + weightOffsets[l],
                                             dBias: parameters + biasOffsets[l], alpha: -lr, beta: 1, batch: batch,
                                             inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
                }
            }
            return
        }
        precondition(fullInputLoaded, "a batch compacted by loadBatchCompacted is for plain SGD only")
        if momentum == 0 {
            let beta = 1 - lr * weightDecay
            backward(batch: batch) { l, x, dy in
                Linear.parameterGradient(input: x, dOutput: dy, dWeights: parameters + weightOffsets[l],
                                         dBias: parameters + biasOffsets[l], alpha: -lr, beta: beta, batch: batch,
                                         inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
            }
        } else {
            // v = momentum·v + ∇L (folded into the GEMM), then v += wd·θ and θ -= lr·v in one pass.
            backward(batch: batch) { l, x, dy in
                Linear.parameterGradient(input: x, dOutput: dy, dWeights: velocity + weightOffsets[l],
                                         dBias: velocity + biasOffsets[l], alpha: 1, beta: momentum, batch: batch,
                                         inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1], ones: ones)
            }
            for i in 0..<parameterCount {
                let v = velocity[i] + weightDecay * parameters[i]
                velocity[i] = v
                parameters[i] -= lr * v
            }
        }
    }

    /// Backpropagation from the logits down, calling `parameterUpdate(l, X, dY)` for each layer after
    /// that layer's input gradient (which needs the old weights) has been computed.
    @inline(__always)
    private func backward(batch: Int,
                          parameterUpdate: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        let classes = classCount
        SoftmaxCrossEntropy.backward(probabilities: probabilities, labels: labels, batch: batch, classes: classes,
                                     dLogits: deltas[layerCount])
        for l in stride(from: layerCount - 1, through: 0, by: -1) {
            let dy = UnsafePointer(deltas[l + 1])
            if l > 0 {
                // dX = dY·Wᵀ, then through the ReLU that produced a[l] (mask from its output).
                Linear.inputGradient(dOutput: dy, weights: parameters + weightOffsets[l], dInput: deltas[l],
                                     batch: batch, inFeatures: layerSizes[l], outFeatures: layerSizes[l + 1])
                ReLU.backward(output: activations[l], gradient: deltas[l], count: batch * layerSizes[l])
            }
            parameterUpdate(l, activations[l], dy)
        }
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    static func allocateZeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return pointer
    }
}
