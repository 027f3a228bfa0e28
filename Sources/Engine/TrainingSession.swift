// The training loop's state and steps: owned by one thread at a time (the Trainer's queue, under
// the Trainer's session lock), so it needs no synchronisation of its own.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CBLAS
import MNISTData

/// What one call to `TrainingSession.advance()` did.
enum AdvanceOutcome: Equatable {
    /// Trained a batch (or finished an epoch's evaluation); more to do.
    case progressed
    /// The batch's loss was non-finite or runaway; the state was rolled back. The caller announces
    /// `.stateChanged(.diverged)`, after marking itself paused, so a resume sent in reply is never lost.
    case diverged(Divergence)
    /// Every epoch is trained.
    case finished
}

/// A run in progress: the network, the data, the position and histories, and the rollback point.
final class TrainingSession {
    let dataset: Dataset
    let config: TrainingConfig
    let info: RunInfo
    let mlp: MLP
    /// The batch being trained or evaluated (gathered from `train` or the test split).
    let input: InputBatch
    let optimizer: any Optimizer
    let train: LabeledImages
    let emit: (TrainingEvent) -> Void

    var position: RunPosition
    var history: RunHistory
    /// The generator after this epoch's shuffle (the next epoch starts from it).
    private var generator: SeededGenerator
    /// This epoch's order of training indices; valid once `orderEpoch == position.epoch`.
    private let order: UnsafeMutablePointer<Int32>
    private var orderEpoch = 0

    // MARK: Rollback point (copied once per epoch into preallocated buffers)
    private let rollbackParameters: UnsafeMutablePointer<Float>
    private let rollbackOptimizer: OptimizerState
    private var rollbackPosition: RunPosition
    private var rollbackLossCount = 0

    // MARK: Throughput over recent batches (fixed ring, no allocation)
    private static let throughputWindow = 20
    private var recentSeconds: [Double]
    private var recentSamples: [Int]
    private var recentNext = 0
    private var recentFilled = 0

    /// Layer-health reports: every `every` steps, by `monitor` (nil: not asked for, nothing computed;
    /// see TrainingSession+LayerHealth.swift).
    var layerHealth: (every: Int, monitor: LayerHealthMonitor)?
    /// The step-0 report (the initial network) was sent or is past.
    var sentInitialLayerHealth = false

    /// Evaluation chunk size: large, since evaluation is forward-only GEMMs.
    static let evaluationBatch = 1000

    /// Builds the network and, for a fresh run, initialises it from `config.seed`.
    init(dataset: Dataset, config: TrainingConfig, info: RunInfo, resumingFrom snapshot: TrainingSnapshot?,
         emit: @escaping (TrainingEvent) -> Void, firstLayerPath: FirstLayerPath = .automatic) {
        self.dataset = dataset
        self.config = config
        self.info = info
        self.emit = emit
        let limit = info.trainCount
        train = dataset.train.prefix(limit)
        let maxBatch = Self.maxBatch(config: config, trainCount: limit, testCount: dataset.test.count)
        mlp = MLP(layerSizes: info.layerSizes, maxBatch: maxBatch)
        input = InputBatch(maxBatch: maxBatch, inputSize: mlp.inputSize, threads: config.threads)
        input.firstLayerPath = firstLayerPath
        optimizer = config.makeOptimizer(parameterCount: mlp.parameterCount)
        order = .allocate(capacity: limit)
        order.initialize(repeating: 0, count: limit)
        rollbackParameters = .allocateZeroed(mlp.parameterCount)
        rollbackOptimizer = OptimizerState(shapedLike: optimizer.state)
        recentSeconds = Array(repeating: 0, count: Self.throughputWindow)
        recentSamples = Array(repeating: 0, count: Self.throughputWindow)

        if let snapshot {
            mlp.load(parameters: snapshot.parameters)
            optimizer.state.load(snapshot.optimizerState)
            position = snapshot.position
            history = snapshot.history
        } else {
            var initGenerator = SeededGenerator(seed: config.seed)
            mlp.initialize(config.initScheme, generator: &initGenerator)
            position = RunPosition(learningRate: config.learningRate, epochStartGenerator: initGenerator)
            history = RunHistory()
        }
        generator = position.epochStartGenerator
        rollbackPosition = position
        // One Float per batch for the whole run: appends never reallocate in the hot loop. Bounded:
        // --epochs is only checked to be > 0, and `--epochs 2000000000` asked for 1.9 TB and trapped.
        let planned = config.epochs.multipliedReportingOverflow(by: info.batchesPerEpoch)
        history.batchLosses.reserveCapacity(planned.overflow ? Self.maxReservedLosses
                                                              : min(planned.partialValue, Self.maxReservedLosses))
    }

    /// Batch losses reserved up front at most (4 MiB: over 4000 epochs of MNIST at batch 256);
    /// longer runs grow the array as they go.
    static let maxReservedLosses = 1 << 20

    /// The batch buffers' size: a training batch or an evaluation chunk, whichever is larger.
    static func maxBatch(config: TrainingConfig, trainCount: Int, testCount: Int) -> Int {
        max(min(config.batchSize, trainCount), min(evaluationBatch, max(testCount, 1)))
    }

    deinit {
        order.deallocate()
        rollbackParameters.deallocate()
    }

    // MARK: Snapshot

    /// The whole run state, between batches.
    func snapshot() -> TrainingSnapshot {
        TrainingSnapshot(config: config, layerSizes: info.layerSizes, datasetName: info.datasetName,
                         classCount: dataset.classCount, trainCount: info.trainCount, testCount: info.testCount,
                         parameters: mlp.parameterArray(), optimizerState: optimizer.state.snapshot(),
                         position: position, history: history)
    }

    // MARK: Controls applied between batches

    func setLearningRate(_ lr: Float) {
        guard lr != position.learningRate else { return }
        let change = LearningRateChange(step: position.step + 1, from: position.learningRate, to: lr)
        position.learningRate = lr
        history.learningRateChanges.append(change)
        emit(.learningRateChanged(from: change.from, to: change.to, step: change.step))
    }

    /// Forgets the throughput window (after a pause, so paused time never counts).
    func resetThroughput() {
        recentFilled = 0
        recentNext = 0
    }

    // MARK: Training

    /// Trains the next batch, or evaluates the epoch whose batches are all trained.
    func advance() -> AdvanceOutcome {
        guard position.epoch <= config.epochs else { return .finished }
        if orderEpoch != position.epoch { beginEpoch() }
        if layerHealth != nil && !sentInitialLayerHealth { reportInitialLayerHealth() }
        if position.batchesDone == info.batchesPerEpoch {
            finishEpoch()
            return position.epoch <= config.epochs ? .progressed : .finished
        }
        if let divergence = trainBatch() { return .diverged(divergence) }
        return .progressed
    }

    /// Derives the epoch's order from the generator state at its start and saves the rollback point.
    private func beginEpoch() {
        let n = info.trainCount
        generator = position.epochStartGenerator
        for i in 0..<n { order[i] = Int32(i) }
        // Fisher-Yates; the index is the high word of a 64x64 product (Lemire), not `%`, so it is
        // unbiased to 2^-64 and depends on nothing but the generator.
        var i = n - 1
        while i > 0 {
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            let held = order[i]; order[i] = order[j]; order[j] = held
            i -= 1
        }
        orderEpoch = position.epoch
        saveRollbackPoint()
    }

    private func saveRollbackPoint() {
        rollbackParameters.update(from: mlp.parameters, count: mlp.parameterCount)
        rollbackOptimizer.copy(from: optimizer.state)
        rollbackPosition = position
        rollbackLossCount = history.batchLosses.count
    }

    private func rollBack() {
        mlp.parameters.update(from: rollbackParameters, count: mlp.parameterCount)
        optimizer.state.copy(from: rollbackOptimizer)
        let lr = position.learningRate
        position = rollbackPosition
        position.learningRate = lr  // the rate is the user's control, not part of the rolled-back math
        history.batchLosses.removeLast(history.batchLosses.count - rollbackLossCount)
        layerHealth?.monitor.reset()  // the rolled-back batches' units do not count
    }

    /// Gathers batch `batchIndex` of this epoch's order into `input`; returns its size.
    func loadBatch(_ batchIndex: Int) -> Int {
        let first = batchIndex * config.batchSize
        let count = min(config.batchSize, info.trainCount - first)
        let indices = UnsafeBufferPointer(start: order + first, count: count)
        if optimizer.gathersCompactedInput {
            input.loadCompacted(train, indices: indices)  // skip all-zero input columns
        } else {
            input.load(train, indices: indices)
        }
        return count
    }

    /// One optimiser step; when the loss ran away, rolls back and returns where (nil: trained).
    private func trainBatch() -> Divergence? {
        let start = ContinuousClock.now
        let batchIndex = position.batchesDone
        let count = loadBatch(batchIndex)
        input.applyBlasThreads()
        let lossSum = mlp.forward(input, batch: count)
        let loss = Float(lossSum / Double(count))
        let lr = position.learningRate
        let step = position.step + 1

        if isDivergent(loss) {
            emit(.batch(BatchMetrics(epoch: position.epoch, batch: batchIndex + 1, batchesPerEpoch: info.batchesPerEpoch,
                                     step: step, loss: loss, learningRate: lr, samplesPerSecond: 0)))
            let divergence = Divergence(epoch: position.epoch, batch: batchIndex + 1, loss: loss, learningRate: lr,
                                        rolledBackToEpoch: rollbackPosition.epoch)
            rollBack()
            resetThroughput()
            return divergence
        }
        if position.initialLoss == nil { position.initialLoss = loss }

        var correct = 0
        for row in 0..<count where mlp.predictions[row] == input.labels[row] { correct += 1 }
        optimizer.step(mlp, input: input, batch: count, learningRate: lr)

        position.step = step
        position.batchesDone += 1
        position.epochLossSum += lossSum
        position.epochCorrect += correct
        position.epochSamples += count
        history.batchLosses.append(loss)

        let seconds = Double((ContinuousClock.now - start) / .seconds(1))
        position.epochTrainSeconds += seconds
        recentSeconds[recentNext] = seconds
        recentSamples[recentNext] = count
        recentNext = (recentNext + 1) % Self.throughputWindow
        recentFilled = min(recentFilled + 1, Self.throughputWindow)
        var windowSeconds = 0.0, windowSamples = 0
        for k in 0..<recentFilled { windowSeconds += recentSeconds[k]; windowSamples += recentSamples[k] }
        let throughput = windowSeconds > 0 ? Double(windowSamples) / windowSeconds : 0

        emit(.batch(BatchMetrics(epoch: position.epoch, batch: batchIndex + 1, batchesPerEpoch: info.batchesPerEpoch,
                                 step: step, loss: loss, learningRate: lr, samplesPerSecond: throughput)))
        if layerHealth != nil { observeLayerHealth(batch: count, step: step, learningRate: lr) }
        return nil
    }

    /// Non-finite, or more than `divergenceFactor` times max(first batch loss, ln(classes)).
    ///
    /// ln(classes) is the loss of a uniform guess (2.30 for 10 classes), so the threshold is never
    /// below 4x chance even when the run starts unusually well; a trained net's loss is far below it,
    /// while a too-large lr (e.g. 500) sends it to hundreds or NaN within a few batches.
    ///
    /// A finite loss is judged as the mean over the last `divergenceWindowSamples` samples (this
    /// batch and as many of the previous ones as that takes): one small batch is noisy (a batch of 4
    /// can lose 10 on a single hard digit and the run is fine), the mean of a few hundred samples is
    /// not. With batches of 256 or more the window is this batch alone.
    private func isDivergent(_ loss: Float) -> Bool {
        guard loss.isFinite else { return true }
        let reference = max(position.initialLoss ?? 0, Float(log(Double(mlp.classCount))))
        let batchesInWindow = (Self.divergenceWindowSamples + config.batchSize - 1) / config.batchSize
        let previous = history.batchLosses.suffix(min(batchesInWindow - 1, history.batchLosses.count))
        var sum = Double(loss)
        for earlier in previous { sum += Double(earlier) }
        return Float(sum / Double(previous.count + 1)) > TrainingSession.divergenceFactor * reference
    }

    static let divergenceFactor: Float = 4
    static let divergenceWindowSamples = 256

    // MARK: Evaluation

    private func finishEpoch() {
        let metrics = evaluate()
        history.epochs.append(metrics.summary)
        emit(.epoch(metrics))
        position.epoch += 1
        position.batchesDone = 0
        position.epochStartGenerator = generator
        position.epochLossSum = 0
        position.epochCorrect = 0
        position.epochSamples = 0
        position.epochTrainSeconds = 0
    }
}
