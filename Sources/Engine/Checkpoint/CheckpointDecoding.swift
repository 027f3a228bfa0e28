// Reading a checkpoint's bytes: the framing first (magic, version, lengths against the real size,
// checksum), then the content, then the invariants the Trainer relies on (a resumed run indexes
// buffers with these numbers, so nothing unchecked may reach it).
import MNISTData

extension Checkpoint {
    /// Layer widths above this are refused (keeps every size product far from overflow).
    static let maxLayerSize = 1 << 24
    static let maxLayers = 64
    static let maxNameBytes = 4096
    static let maxEpochs = 1_000_000

    /// Decodes a checkpoint file's bytes; `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(CheckpointError) -> Checkpoint {
        func fail(_ problem: CheckpointError.Problem) -> CheckpointError {
            CheckpointError(path: path, problem: problem)
        }
        // MARK: Framing
        // A prefix of the magic (an empty file included) is a truncated checkpoint, anything else foreign.
        let magicBytes = min(bytes.count, magic.count)
        guard bytes[0..<magicBytes].elementsEqual(magic[0..<magicBytes]) else { throw fail(.notACheckpoint) }
        guard bytes.count >= preludeSize else { throw fail(.truncated(size: bytes.count, expected: preludeSize)) }
        var prelude = LittleEndianReader(bytes, from: magic.count, to: preludeSize)
        let version: UInt32, headerLength: UInt32, payloadLength: UInt64
        do {
            version = try prelude.u32("version")
            headerLength = try prelude.u32("header length")
            payloadLength = try prelude.u64("payload length")
        } catch {
            throw fail(.truncated(size: bytes.count, expected: preludeSize))  // unreachable: 24 bytes are there
        }
        guard version != 0 else { throw fail(.invalidVersion(version)) }
        guard version <= formatVersion else { throw fail(.newerVersion(found: version, supported: formatVersion)) }
        // 24 + H + P + 4, overflow-checked: a length near 2^64 must not wrap around to a small size.
        let (withPayload, overflow) = UInt64(preludeSize + checksumSize + Int(headerLength))
            .addingReportingOverflow(payloadLength)
        guard !overflow, withPayload <= UInt64(Int.max) else {
            throw fail(.truncated(size: bytes.count, expected: Int.max))
        }
        let expected = Int(withPayload)
        guard bytes.count >= expected else { throw fail(.truncated(size: bytes.count, expected: expected)) }
        guard bytes.count == expected else { throw fail(.trailingBytes(size: bytes.count, expected: expected)) }
        let checksumOffset = expected - checksumSize
        var trailer = LittleEndianReader(bytes, from: checksumOffset, to: expected)
        let stored = (try? trailer.u32("checksum")) ?? 0
        guard stored == CRC32.checksum(bytes, range: 0..<checksumOffset) else { throw fail(.checksumMismatch) }

        // MARK: Content
        let headerEnd = preludeSize + Int(headerLength)
        var header = LittleEndianReader(bytes, from: preludeSize, to: headerEnd)
        var payload = LittleEndianReader(bytes, from: headerEnd, to: checksumOffset)
        do throws(ByteReadError) {
            var checkpoint = try decodeContent(header: &header, payload: &payload, version: version)
            checkpoint.version = version
            guard header.isAtEnd else { throw ByteReadError(what: "\(header.remaining) unread bytes at the header's end") }
            guard payload.isAtEnd else { throw ByteReadError(what: "\(payload.remaining) unread bytes at the payload's end") }
            try checkpoint.validate()
            return checkpoint
        } catch {
            throw fail(.malformed(error.what))
        }
    }

    private static func decodeContent(header h: inout LittleEndianReader, payload p: inout LittleEndianReader,
                                      version: UInt32) throws(ByteReadError) -> Checkpoint {
        let layerCount = try h.count("layer", elementSize: 8)
        guard (3...maxLayers).contains(layerCount) else {
            throw ByteReadError(what: "\(layerCount) layer sizes (needs input, at least one hidden, output; at most \(maxLayers))")
        }
        var layerSizes: [Int] = []
        for i in 0..<layerCount {
            let size = try h.int("layer size \(i)", atLeast: 1)
            guard size <= maxLayerSize else { throw ByteReadError(what: "layer size \(i) is \(size) (at most \(maxLayerSize))") }
            layerSizes.append(size)
        }
        var config = TrainingConfig()
        config.hidden = Array(layerSizes[1..<(layerSizes.count - 1)])
        config.initScheme = try h.choice("init scheme", of: InitScheme.self)
        config.epochs = try h.i64("epochs")
        config.batchSize = try h.i64("batch size")
        config.learningRate = try h.f32("learning rate")
        config.momentum = try h.f32("momentum")
        config.weightDecay = try h.f32("weight decay")
        config.seed = try h.u64("seed")
        config.threads = try h.i64("threads")
        let hasLimit = try h.u8("train limit flag")
        let limit = try h.i64("train limit")
        // Absent values are stored as 0, so that every checkpoint has exactly one encoding.
        guard hasLimit == 1 || (hasLimit == 0 && limit == 0) else {
            throw ByteReadError(what: "train limit flag \(hasLimit) with limit \(limit)")
        }
        config.trainLimit = hasLimit == 1 ? limit : nil
        if version >= 2 {
            config.optimizer = try h.choice("optimizer", of: OptimizerKind.self)
            config.beta1 = try h.f32("beta1")
            config.beta2 = try h.f32("beta2")
            config.epsilon = try h.f32("epsilon")
        }

        // Any UTF-8 name: a --data folder may be named with a tab or newline, and what is written
        // must load (messages show such names escaped: `Checkpoint.printable`).
        let name = try h.string("dataset name", maxBytes: maxNameBytes)
        let classCount = try h.int("class count", atLeast: 2)
        let trainCount = try h.int("train count", atLeast: 1)
        let testCount = try h.int("test count", atLeast: 0)
        let fingerprint = try h.u64("dataset fingerprint")

        let epoch = try h.int("epoch", atLeast: 1)
        let batchesDone = try h.int("batches done", atLeast: 0)
        let step = try h.int("step", atLeast: 0)
        let lr = try h.f32("current learning rate")
        let generatorState = (try h.u64("generator state"), try h.u64("generator state"),
                              try h.u64("generator state"), try h.u64("generator state"))
        var position = RunPosition(learningRate: lr, epochStartGenerator: SeededGenerator(state: generatorState))
        position.epoch = epoch
        position.batchesDone = batchesDone
        position.step = step
        position.epochLossSum = try h.f64("epoch loss sum")
        position.epochCorrect = try h.int("epoch correct", atLeast: 0)
        position.epochSamples = try h.int("epoch samples", atLeast: 0)
        position.epochTrainSeconds = try h.f64("epoch train seconds")
        let hasInitialLoss = try h.u8("initial loss flag")
        let initialLoss = try h.f32("initial loss")
        guard hasInitialLoss == 1 || (hasInitialLoss == 0 && initialLoss.bitPattern == 0) else {
            throw ByteReadError(what: "initial loss flag \(hasInitialLoss) with loss \(initialLoss)")
        }
        position.initialLoss = hasInitialLoss == 1 ? initialLoss : nil

        let parameters = try p.floats("parameters")
        var optimizerState = OptimizerSnapshot()
        if version >= 2 {
            optimizerState.step = try p.int("optimizer step", atLeast: 0)
            let bufferCount = try p.count("optimizer state buffer", elementSize: 8)
            for _ in 0..<bufferCount { optimizerState.buffers.append(try p.floats("optimizer state")) }
        } else {
            let velocity = try p.floats("velocity")
            optimizerState.step = step
            if config.momentum > 0 { optimizerState.buffers = [velocity] }
        }
        var history = RunHistory()
        history.batchLosses = try p.floats("batch losses")
        let changeCount = try p.count("learning-rate change", elementSize: 16)
        history.learningRateChanges.reserveCapacity(changeCount)
        for _ in 0..<changeCount {
            history.learningRateChanges.append(LearningRateChange(
                step: try p.i64("lr change step"), from: try p.f32("lr change from"), to: try p.f32("lr change to")))
        }
        let epochCount = try p.count("epoch summary", elementSize: 52)
        history.epochs.reserveCapacity(epochCount)
        for _ in 0..<epochCount {
            history.epochs.append(EpochSummary(
                epoch: try p.i64("summary epoch"), trainLoss: try p.f64("train loss"),
                trainAccuracy: try p.f64("train accuracy"), testLoss: try p.f64("test loss"),
                testAccuracy: try p.f64("test accuracy"), trainSeconds: try p.f64("train seconds"),
                learningRate: try p.f32("summary lr")))
        }
        let snapshot = TrainingSnapshot(config: config, layerSizes: layerSizes, datasetName: name,
                                        classCount: classCount, trainCount: trainCount, testCount: testCount,
                                        parameters: parameters, optimizerState: optimizerState, position: position,
                                        history: history)
        return Checkpoint(snapshot: snapshot, datasetFingerprint: fingerprint)
    }

    /// The invariants a Trainer relies on when it resumes from this state.
    private func validate() throws(ByteReadError) {
        let s = snapshot
        do {
            try s.config.validate()
        } catch {
            throw ByteReadError(what: "its configuration is invalid (\(error.description))")
        }
        guard s.classCount == s.layerSizes[s.layerSizes.count - 1] else {
            throw ByteReadError(what: "\(s.classCount) classes but \(s.layerSizes[s.layerSizes.count - 1]) outputs")
        }
        if let limit = s.config.trainLimit, s.trainCount > limit {
            throw ByteReadError(what: "train count \(s.trainCount) exceeds the train limit \(limit)")
        }
        // Sizes are <= 2^24, but there may be 64 layers: the count is overflow-checked.
        guard let parameterCount = ParameterLayout.parameterCount(layerSizes: s.layerSizes) else {
            throw ByteReadError(what: "the layer sizes overflow a parameter count")
        }
        guard s.parameters.count == parameterCount else {
            throw ByteReadError(what: "\(s.parameters.count) parameters, the layers need \(parameterCount)")
        }
        let names = s.config.optimizerStateNames
        guard s.optimizerState.buffers.count == names.count else {
            throw ByteReadError(what: "\(s.optimizerState.buffers.count) optimizer state buffers, \(s.config.optimizer.rawValue) keeps \(names.count)")
        }
        for (name, buffer) in zip(names, s.optimizerState.buffers) where buffer.count != parameterCount {
            throw ByteReadError(what: "the optimizer's \(name) holds \(buffer.count) values, the layers need \(parameterCount)")
        }
        // The Trainer reserves one Float per batch of the whole run: an absurd target must not reach it.
        guard s.config.epochs <= Self.maxEpochs else {
            throw ByteReadError(what: "the target of \(s.config.epochs) epochs is absurd (at most \(Self.maxEpochs))")
        }
        let p = s.position
        // Counts may be near Int.max here: no `a + b - 1` rounding (a fuzz finding), no `epochs + 1`.
        let batch = min(s.config.batchSize, s.trainCount)
        let batchesPerEpoch = s.trainCount / batch + (s.trainCount % batch == 0 ? 0 : 1)
        guard p.epoch - 1 <= s.config.epochs else {
            throw ByteReadError(what: "position epoch \(p.epoch) is beyond the target of \(s.config.epochs) epochs")
        }
        guard p.batchesDone <= batchesPerEpoch, p.epoch <= s.config.epochs || p.batchesDone == 0 else {
            throw ByteReadError(what: "position batch \(p.batchesDone) of epoch \(p.epoch) is impossible (\(batchesPerEpoch) batches an epoch)")
        }
        guard p.learningRate.isFinite, p.learningRate > 0 else {
            throw ByteReadError(what: "the current learning rate \(p.learningRate) is not a finite number > 0")
        }
        guard p.epochStartGenerator != SeededGenerator(state: (0, 0, 0, 0)) else {
            throw ByteReadError(what: "the generator state is all zeros")
        }
        guard p.epochCorrect <= p.epochSamples, p.epochSamples <= s.trainCount else {
            throw ByteReadError(what: "\(p.epochCorrect) correct of \(p.epochSamples) samples in the epoch so far")
        }
        guard s.history.batchLosses.count == p.step else {
            throw ByteReadError(what: "\(s.history.batchLosses.count) batch losses for \(p.step) steps")
        }
        guard s.history.epochs.count == p.epoch - 1 else {
            throw ByteReadError(what: "\(s.history.epochs.count) epoch summaries for \(p.epoch - 1) finished epochs")
        }
    }
}
