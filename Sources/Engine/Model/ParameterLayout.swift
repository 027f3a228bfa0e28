// Where each layer's weights and bias sit in the flat parameter buffer, and how many floats that
// is: the one place a layer list's parameter count is derived (the model, the trainer's resume
// check, the checkpoint reader and the memory estimate all ask here).

/// The flat layout of an MLP's parameters, shared by every buffer shaped like them (gradients,
/// optimiser state, rollback copies, checkpoints):
///
///     W0 [s0, s1] row-major, b0 [s1], W1 [s1, s2], b1 [s2], ...     (W as [in, out])
public struct ParameterLayout: Sendable, Equatable {
    /// Input, hidden..., output.
    public let layerSizes: [Int]
    /// `weightOffsets[l]`: where layer l's weights `[layerSizes[l], layerSizes[l+1]]` start.
    public let weightOffsets: [Int]
    /// `biasOffsets[l]`: where layer l's bias `[layerSizes[l+1]]` starts.
    public let biasOffsets: [Int]
    /// Floats in the whole buffer.
    public let count: Int

    /// nil unless there are at least two sizes, all > 0, and the count fits an Int (checkpoint
    /// files are untrusted: their sizes must not overflow the arithmetic).
    public init?(layerSizes: [Int]) {
        guard layerSizes.count >= 2, layerSizes.allSatisfy({ $0 > 0 }) else { return nil }
        var offset = 0
        var weights: [Int] = [], biases: [Int] = []
        for (fanIn, fanOut) in zip(layerSizes, layerSizes.dropFirst()) {
            let (weightCount, o1) = fanIn.multipliedReportingOverflow(by: fanOut)
            let (biasStart, o2) = offset.addingReportingOverflow(weightCount)
            let (end, o3) = biasStart.addingReportingOverflow(fanOut)
            guard !o1, !o2, !o3 else { return nil }
            weights.append(offset)
            biases.append(biasStart)
            offset = end
        }
        self.layerSizes = layerSizes
        weightOffsets = weights
        biasOffsets = biases
        count = offset
    }

    /// The parameter count of `layerSizes` (nil: see `init`).
    public static func parameterCount(layerSizes: [Int]) -> Int? {
        ParameterLayout(layerSizes: layerSizes)?.count
    }
}
