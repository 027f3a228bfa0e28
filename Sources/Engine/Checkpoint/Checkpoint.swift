// A checkpoint: a TrainingSnapshot plus the dataset's fingerprint, and its binary file format.
import MNISTData

/// Everything needed to continue a run exactly, as stored in a checkpoint file.
///
/// # File format (version 2)
///
/// All integers are little-endian; `i64` is two's complement; floats are IEEE 754 bit patterns
/// (`f32`, `f64`); a `string` is a u32 byte count then UTF-8; a `floats` array is a u64 count then
/// that many f32; a `count` is a u64.
///
///     offset   size  field
///     0        8     magic "MNISTCKP" (4D 4E 49 53 54 43 4B 50)
///     8        4     u32 format version (2; 1 is still read, see below)
///     12       4     u32 header length H
///     16       8     u64 payload length P
///     24       H     header: the run's scalars (below)
///     24+H     P     payload: the arrays (below)
///     24+H+P   4     u32 CRC-32 (zlib/IEEE polynomial) of bytes 0 ..< 24+H+P
///
/// The file is exactly 28 + H + P bytes. Header, in order:
///
///     architecture   count L, then L x i64 layer sizes (input, hidden..., classes)
///     config         string init scheme ("normal", "default", "xavier", "he"),
///                    i64 epochs (the target), i64 batch size, f32 initial lr, f32 momentum,
///                    f32 weight decay, u64 seed, i64 threads, u8 has-train-limit + i64 train limit,
///                    string optimizer ("sgd", "adam", "adamw"), f32 beta1, f32 beta2, f32 epsilon
///                    (Adam's; stored for every optimizer)
///     dataset        string name, i64 classes, i64 train count (after the limit), i64 test count,
///                    u64 fingerprint (`Dataset.fingerprint` of the full dataset)
///     position       i64 epoch (1-based, epochs+1 when done), i64 batches done in it, i64 global
///                    step, f32 current lr, 4 x u64 generator state at the epoch's start,
///                    f64 epoch loss sum, i64 epoch correct, i64 epoch samples,
///                    f64 epoch train seconds, u8 has-initial-loss + f32 initial loss
///
/// Payload, in order:
///
///     floats parameters   MLP layout: W0 [s0, s1] row-major, b0 [s1], W1, b1, ...
///     i64 optimizer step  steps the optimizer has taken (Adam's bias correction uses it)
///     count k + k x floats the optimizer's state buffers, each in the parameters' layout:
///                         sgd with momentum > 0: velocity; plain sgd: none; adam, adamw: m, v
///     floats batch losses one per trained step (count = step)
///     count + n x (i64 step, f32 from, f32 to)                       learning-rate changes
///     count + n x (i64 epoch, 5 x f64 train loss, train accuracy,
///                  test loss, test accuracy, train seconds; f32 lr)  per-epoch summaries
///
/// A reader refuses, in this order: a file whose first bytes are not the magic (foreign); one
/// shorter than its 24-byte prelude (truncated); a version above its own (newer) or 0; a size other
/// than 28 + H + P (truncated or trailing bytes; lengths are overflow-checked and compared with the
/// file's size before anything is allocated); a CRC mismatch (damaged); then any inconsistency in
/// the content (malformed). Versions only grow; a new field means a new version.
///
/// Version 1 (mnist-tui before optimisers were their own part) has no optimizer fields in the
/// header, and a single `floats velocity` where version 2 has the optimizer step and buffers. It is
/// read as sgd with PyTorch's default betas and epsilon, step = the position's step, and the
/// velocity as its state buffer when momentum > 0 (plain SGD never read it: it is dropped).
public struct Checkpoint: Sendable, Equatable {
    /// The format version this build writes and the newest it reads.
    public static let formatVersion: UInt32 = 2
    /// "MNISTCKP".
    public static let magic: [UInt8] = Array("MNISTCKP".utf8)
    /// Magic, version, header length, payload length.
    static let preludeSize = 24
    static let checksumSize = 4

    public var snapshot: TrainingSnapshot
    /// `Dataset.fingerprint` of the dataset the run trains on (before `--train-limit`).
    public var datasetFingerprint: UInt64
    /// The format version the checkpoint was read from (`formatVersion` for one made in memory).
    public internal(set) var version: UInt32 = Checkpoint.formatVersion

    public init(snapshot: TrainingSnapshot, datasetFingerprint: UInt64) {
        self.snapshot = snapshot
        self.datasetFingerprint = datasetFingerprint
    }

    /// The trainer's state now (between batches), for `dataset`.
    public init(trainer: Trainer, dataset: Dataset) {
        self.init(snapshot: trainer.snapshot(), datasetFingerprint: dataset.fingerprint)
    }

    /// Epochs fully trained.
    public var epochsDone: Int { snapshot.position.epoch - 1 }

    /// Refuses to resume on data other than the checkpoint's (by name and fingerprint; the sizes and
    /// layers are checked again by `Trainer`).
    public func verify(dataset: Dataset, path: String) throws(CheckpointError) {
        guard dataset.name == snapshot.datasetName else {
            throw CheckpointError(path: path, problem: .datasetMismatch(
                "it was trained on \(Self.printable(snapshot.datasetName)), this run uses \(Self.printable(dataset.name))"))
        }
        guard dataset.fingerprint == datasetFingerprint else {
            throw CheckpointError(path: path, problem: .datasetMismatch(
                "its \(Self.printable(snapshot.datasetName)) data has fingerprint \(Dataset.hexFingerprint(datasetFingerprint)), this run's has \(dataset.fingerprintHex)"))
        }
    }
}

extension Checkpoint {
    /// `name` as messages may show it: as it is, or quoted and escaped when it holds control
    /// characters (a folder named with a tab, newline or ESC must not break or colour a line).
    public static func printable(_ name: String) -> String {
        name.unicodeScalars.contains { $0.properties.generalCategory == .control } ? name.debugDescription : name
    }
}

// MARK: - Encoding

extension Checkpoint {
    /// The checkpoint file's bytes (see the format above).
    public func encoded() -> [UInt8] {
        let s = snapshot
        let stateFloats = s.optimizerState.buffers.reduce(0) { $0 + $1.count }
        let floatBytes = 4 * (s.parameters.count + stateFloats + s.history.batchLosses.count)
        var out = LittleEndianWriter(reservingCapacity: 1024 + floatBytes + 52 * s.history.epochs.count
                                         + 16 * s.history.learningRateChanges.count)
        for byte in Self.magic { out.u8(byte) }
        out.u32(Self.formatVersion)
        out.u32(0)  // header length, patched below
        out.u64(0)  // payload length, patched below

        // Header
        let headerStart = out.count
        out.u64(UInt64(s.layerSizes.count))
        for size in s.layerSizes { out.i64(size) }
        let c = s.config
        out.string(c.initScheme.rawValue)
        out.i64(c.epochs)
        out.i64(c.batchSize)
        out.f32(c.learningRate)
        out.f32(c.momentum)
        out.f32(c.weightDecay)
        out.u64(c.seed)
        out.i64(c.threads)
        out.u8(c.trainLimit == nil ? 0 : 1)
        out.i64(c.trainLimit ?? 0)
        out.string(c.optimizer.rawValue)
        out.f32(c.beta1)
        out.f32(c.beta2)
        out.f32(c.epsilon)
        out.string(s.datasetName)
        out.i64(s.classCount)
        out.i64(s.trainCount)
        out.i64(s.testCount)
        out.u64(datasetFingerprint)
        let p = s.position
        out.i64(p.epoch)
        out.i64(p.batchesDone)
        out.i64(p.step)
        out.f32(p.learningRate)
        let g = p.epochStartGenerator.state
        out.u64(g.0); out.u64(g.1); out.u64(g.2); out.u64(g.3)
        out.f64(p.epochLossSum)
        out.i64(p.epochCorrect)
        out.i64(p.epochSamples)
        out.f64(p.epochTrainSeconds)
        out.u8(p.initialLoss == nil ? 0 : 1)
        out.f32(p.initialLoss ?? 0)
        let headerLength = out.count - headerStart

        // Payload
        let payloadStart = out.count
        out.floats(s.parameters)
        out.i64(s.optimizerState.step)
        out.u64(UInt64(s.optimizerState.buffers.count))
        for buffer in s.optimizerState.buffers { out.floats(buffer) }
        out.floats(s.history.batchLosses)
        out.u64(UInt64(s.history.learningRateChanges.count))
        for change in s.history.learningRateChanges {
            out.i64(change.step); out.f32(change.from); out.f32(change.to)
        }
        out.u64(UInt64(s.history.epochs.count))
        for e in s.history.epochs {
            out.i64(e.epoch)
            out.f64(e.trainLoss); out.f64(e.trainAccuracy); out.f64(e.testLoss); out.f64(e.testAccuracy)
            out.f64(e.trainSeconds)
            out.f32(e.learningRate)
        }
        let payloadLength = out.count - payloadStart

        out.patchU32(UInt32(headerLength), at: 12)  // the header is a few hundred bytes
        out.patchU64(UInt64(payloadLength), at: 16)
        out.u32(CRC32.checksum(out.bytes))
        return out.bytes
    }
}
