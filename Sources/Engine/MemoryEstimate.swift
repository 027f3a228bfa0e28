// What a run will allocate, estimated before anything is allocated, so that a network too large
// for the machine is refused with a figure instead of trapping in the allocator halfway through.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MNISTData

/// The bytes a run needs: parameters with their rollback copy, the optimiser's state (and its
/// rollback copy) and workspace, activations and deltas for the largest batch, the batch
/// buffers, the training order and loss history, and the dataset itself.
public struct MemoryEstimate: Sendable, Equatable {
    public let parameterCount: Int
    public let bytes: Int

    /// nil when the layer sizes overflow a parameter count (refused by validation anyway).
    public init?(config: TrainingConfig, layerSizes: [Int], maxBatch: Int, trainCount: Int,
                 batchesPerEpoch: Int, dataset: Dataset) {
        guard let count = ParameterLayout.parameterCount(layerSizes: layerSizes) else { return nil }
        parameterCount = count
        let float = 4.0
        // Parameters + rollback copy, state buffers + their rollback copies, Adam's gradient workspace.
        let stateBuffers = Double(config.optimizerStateNames.count)
        let workspace: Double = config.optimizer == .sgd ? 0 : 1
        var total = Double(count) * float * (2 + 2 * stateBuffers + workspace)
        // Activations and deltas [maxBatch, s] per layer after the input; probabilities, losses.
        for size in layerSizes.dropFirst() { total += 2 * Double(maxBatch) * Double(size) * float }
        // The input batch (full and compacted) and W0's compacted rows.
        total += 2 * Double(maxBatch) * Double(layerSizes[0]) * float
        total += Double(layerSizes[0]) * Double(layerSizes[1]) * float
        // The sparse form of the batch (CSR, CSC) and the sparse kernels' panels.
        if SparseInput.fits(inputSize: layerSizes[0], maxBatch: maxBatch) {
            total += SparseInput.bytes(inputSize: layerSizes[0], maxBatch: maxBatch, threads: config.threads)
        }
        // Shuffle order, reserved batch losses (see TrainingSession.maxReservedLosses).
        total += Double(trainCount) * 4
        total += min(Double(config.epochs) * Double(batchesPerEpoch), Double(1 << 20)) * float
        // The dataset as loaded, plus the limited copy of the training split.
        total += Double(Self.sharedBytes(dataset))
        if trainCount < dataset.train.count { total += Double(trainCount * (dataset.train.pixelsPerImage + 1)) }
        bytes = total >= Double(Int.max) ? Int.max : Int(total)
    }

    /// The dataset as loaded: the part of each estimate that runs trained together share.
    public static func sharedBytes(_ dataset: Dataset) -> Int {
        dataset.train.pixels.count + dataset.train.labels.count + dataset.test.pixels.count + dataset.test.labels.count
    }

    /// The machine's physical memory in bytes (nil if the system does not say).
    public static func physicalMemory() -> Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? Int.max : bytes
    }

    /// "1.2 GB", "830 MB" (decimal units, one decimal above 1 GB).
    public static func format(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return "\((value / 1e8).rounded() / 10) GB" }
        return "\(Int((value / 1e6).rounded())) MB"
    }
}
