// The Trainer: one run (a TrainingSession) trained on a background thread, taking controls from any
// thread. Controls are requests recorded under a Mutex; the training thread applies them between
// batches, so they never touch the math mid-step. The thread and its schedule are a
// `TrainingGroup`'s (a trainer started alone is a group of one).
// Long file: the controls, the event stream and the snapshot are one object's, each a small section
// over the same Mutex-guarded state; split, they would have to share that state across files.
import MNISTData
import Synchronization

/// Trains an MLP on a background thread and publishes `TrainingEvent`s.
/// Controls may be called from any thread; they take effect between batches.
///
/// Event order: `.started`, `.stateChanged(.running)`, then per step `.batch` and per epoch `.epoch`,
/// with `.stateChanged(.paused / .diverged / .running)` and `.learningRateChanged` where they happen,
/// and last `.stateChanged(.done)` or `.stateChanged(.stopped)`, after which `events` finishes.
///
/// Divergence: a batch whose mean loss is non-finite or above 4 x max(first batch loss, ln(classes))
/// is not trained on; its `.batch` event is sent, the weights, optimiser state and position are rolled back
/// to the start of the current epoch (`RunPosition`, step counter included), `.diverged` is sent and
/// the run pauses. `resume()` restarts that epoch from its first batch, in the same order.
public final class Trainer: Sendable {
    /// Every event of the run, in order. Unbounded: training never waits for the consumer,
    /// and no event is dropped. Finishes after the final `.stateChanged(.done/.stopped)`.
    public let events: AsyncStream<TrainingEvent>
    let channel = EventChannel()  // internal: `subscribe()` (EventChannel.swift) adds consumers
    /// The run's static facts, known at construction (also sent as the first event, `.started`).
    public let info: RunInfo

    /// Requests from the controls, read by the training thread between batches.
    private struct Controls {
        var started = false
        var finished = false
        var paused = false
        var stopRequested = false
        var pendingLearningRate: Float?
        /// `.layerHealth` every this many steps; nil: not asked for (issue 9: not computed at all).
        var layerHealthEvery: Int?
        /// The training thread's alarm clock, once a group has started this run: every control
        /// change rings it, so a thread asleep because every run was paused wakes up.
        var wake: TrainingGroup.Wake?
    }
    private let controls = Mutex(Controls())
    /// The run's state. The training thread holds this lock for one batch (or one evaluation) at a
    /// time, so `snapshot()` from another thread always sees a state between batches.
    private let session: Mutex<TrainingSession>

    /// Validates `config` against `dataset`, checks that the run fits in memory, and allocates
    /// every buffer the run needs. Throws `TrainingConfigError`.
    public convenience init(dataset: Dataset, config: TrainingConfig) throws {
        try self.init(dataset: dataset, config: config, resumingFrom: nil)
    }

    /// Continues a run from `snapshot` (exactly: the same events follow as in the unbroken run, given
    /// the same thread count). `config.epochs` may exceed the snapshot's; the layers, dataset, batch
    /// size and optimiser settings must match it. The learning rate, generator and position come
    /// from the snapshot (`config.learningRate`, `seed` and `initScheme` are not used).
    public convenience init(dataset: Dataset, config: TrainingConfig, resumingFrom snapshot: TrainingSnapshot?) throws {
        try self.init(dataset: dataset, config: config, resumingFrom: snapshot, afterBatch: nil)
    }

    /// A run whose first layer always takes `firstLayerPath` (`.dense`: the arithmetic of before the
    /// sparse kernels, for the benchmark's and the tests' comparisons).
    package convenience init(dataset: Dataset, config: TrainingConfig, resumingFrom snapshot: TrainingSnapshot? = nil,
                             firstLayerPath: FirstLayerPath) throws {
        try self.init(dataset: dataset, config: config, resumingFrom: snapshot, afterBatch: nil,
                      firstLayerPath: firstLayerPath)
    }

    /// `afterBatch` runs on the training thread right after each `.batch` event (tests use it to
    /// act at an exact step). It must not call `snapshot()`: the session lock is held.
    /// `memoryLimit` replaces the machine's physical memory in the memory check (tests).
    init(dataset: Dataset, config: TrainingConfig, resumingFrom snapshot: TrainingSnapshot?,
         afterBatch: (@Sendable (BatchMetrics) -> Void)?, memoryLimit: Int? = nil,
         firstLayerPath: FirstLayerPath = .automatic) throws {
        let plan = try Trainer.plan(dataset: dataset, config: config, memoryLimit: memoryLimit)
        if let snapshot {
            try Trainer.check(snapshot, layout: plan.layout, dataset: dataset, trainCount: plan.trainCount, config: config)
        }
        let (trainCount, batchesPerEpoch, layerSizes) = (plan.trainCount, plan.batchesPerEpoch, plan.layout.layerSizes)
        let channel = self.channel
        events = AsyncStream(unfolding: { await channel.next() })
        info = RunInfo(layerSizes: layerSizes, config: config, datasetName: dataset.name,
                       classNames: dataset.classNames, trainCount: trainCount, testCount: dataset.test.count,
                       batchesPerEpoch: batchesPerEpoch,
                       firstEpoch: snapshot?.position.epoch ?? 1)
        session = Mutex(TrainingSession(dataset: dataset, config: config, info: info, resumingFrom: snapshot,
                                        emit: { event in
                                            channel.send(event)
                                            if let afterBatch, case .batch(let metrics) = event { afterBatch(metrics) }
                                        }, firstLayerPath: firstLayerPath))
    }

    /// What a run of `config` on `dataset` will be, checked before anything is allocated.
    public struct Plan: Sendable {
        public let layout: ParameterLayout
        public let trainCount: Int
        public let batchesPerEpoch: Int
        public let memory: MemoryEstimate
    }

    /// Validates `config` against `dataset` and refuses a run that cannot fit in memory (the
    /// machine's physical memory, or `memoryLimit`), without allocating it. Front ends may call it
    /// first to say what a large run will cost; `init` calls it again.
    public static func plan(dataset: Dataset, config: TrainingConfig,
                            memoryLimit: Int? = nil) throws(TrainingConfigError) -> Plan {
        try config.validate()
        try dataset.validateForTraining()
        let trainCount = min(config.trainLimit ?? dataset.train.count, dataset.train.count)
        let batchSize = min(config.batchSize, trainCount)
        let batchesPerEpoch = (trainCount + batchSize - 1) / batchSize
        let layerSizes = config.layerSizes(for: dataset)
        let maxBatch = TrainingSession.maxBatch(config: config, trainCount: trainCount, testCount: dataset.test.count)
        guard let layout = ParameterLayout(layerSizes: layerSizes),
              let estimate = MemoryEstimate(config: config, layerSizes: layerSizes, maxBatch: maxBatch,
                                            trainCount: trainCount, batchesPerEpoch: batchesPerEpoch, dataset: dataset)
        else { throw .hidden(config.hidden) }  // a parameter count beyond Int: no machine has that memory
        if let available = memoryLimit ?? MemoryEstimate.physicalMemory(), estimate.bytes > available {
            throw .memory(needed: estimate.bytes, available: available, parameterCount: estimate.parameterCount)
        }
        return Plan(layout: layout, trainCount: trainCount, batchesPerEpoch: batchesPerEpoch, memory: estimate)
    }

    /// A trainer released without running to its end still ends its stream (a running trainer is
    /// kept alive by its group's thread until the run ends).
    deinit {
        channel.finish()
    }

    private static func check(_ snapshot: TrainingSnapshot, layout: ParameterLayout, dataset: Dataset, trainCount: Int,
                              config: TrainingConfig) throws(TrainingConfigError) {
        guard snapshot.layerSizes == layout.layerSizes else {
            throw .snapshot(.layers(saved: snapshot.layerSizes, run: layout.layerSizes))
        }
        guard snapshot.datasetName == dataset.name, snapshot.classCount == dataset.classCount,
              snapshot.trainCount == trainCount, snapshot.testCount == dataset.test.count else {
            throw .snapshot(.dataset(saved: snapshot.datasetName, savedCounts: [snapshot.trainCount, snapshot.testCount],
                                     run: dataset.name, runCounts: [trainCount, dataset.test.count]))
        }
        guard snapshot.parameters.count == layout.count else {
            throw .snapshot(.parameterCount(saved: snapshot.parameters.count, needed: layout.count))
        }
        guard snapshot.config.batchSize == config.batchSize else {
            throw .snapshot(.batchSize(saved: snapshot.config.batchSize, run: config.batchSize))
        }
        let saved = snapshot.config
        guard saved.optimizer == config.optimizer, saved.momentum == config.momentum,
              saved.weightDecay == config.weightDecay, saved.beta1 == config.beta1, saved.beta2 == config.beta2,
              saved.epsilon == config.epsilon else {
            throw .snapshot(.optimizer(saved: saved.optimizerSummary, run: config.optimizerSummary))
        }
        let state = snapshot.optimizerState
        guard state.buffers.count == config.optimizerStateNames.count, state.buffers.allSatisfy({ $0.count == layout.count }) else {
            throw .snapshot(.optimizerState(saved: state.buffers.count, needed: config.optimizerStateNames.count))
        }
        guard snapshot.position.epoch <= config.epochs else {
            throw .snapshot(.nothingToDo(epochsDone: snapshot.position.epoch - 1, target: config.epochs))
        }
    }

    // MARK: Controls

    /// Starts training on a thread of its own (a `TrainingGroup` of one). Later calls do nothing.
    public func start() {
        TrainingGroup([self]).start()
    }

    /// Pauses before the next batch (the training thread then sleeps until `resume()` or `stop()`).
    public func pause() {
        controls.withLock { $0.paused = true }
    }

    /// Resumes a paused or diverged run.
    public func resume() {
        update { $0.paused = false }
    }

    /// Sets the learning rate used from the next batch on (applied and announced with
    /// `.learningRateChanged` between batches, at once if paused). Returns false, changing nothing,
    /// unless `TrainingConfig.isValidLearningRate(lr)`.
    @discardableResult
    public func setLearningRate(_ lr: Float) -> Bool {
        guard TrainingConfig.isValidLearningRate(lr) else { return false }
        update { $0.pendingLearningRate = lr }
        return true
    }

    /// Asks for `.layerHealth` events every `steps` training steps and at the end of each epoch
    /// (nil: none, the default), and, asked before the first batch, one at step 0 for the initial
    /// network. The figures are computed between batches and never change the run's math.
    public func setLayerHealth(every steps: Int?) {
        update { $0.layerHealthEvery = steps.map { max(1, $0) } }
    }

    /// Ends the run after the current batch; emits `.stateChanged(.stopped)` and finishes `events`.
    /// Before `start()`, ends the (unstarted) run at once.
    public func stop() {
        let endNow = controls.withLock { c in
            if !c.started && !c.finished { c.finished = true; return true }
            return false
        }
        if endNow {
            channel.send(.stateChanged(.stopped))
            channel.finish()
            return
        }
        update { $0.stopRequested = true }
    }

    /// The whole run state between batches (blocks at most one batch or one evaluation).
    /// Feed it to `init(dataset:config:resumingFrom:)` to continue the run exactly.
    public func snapshot() -> TrainingSnapshot {
        session.withLock { $0.snapshot() }
    }

    /// A copy of the weights between batches and their step, for views of the model (blocks at most
    /// one batch or evaluation, like `snapshot()`; the copy cannot change the run).
    public func currentWeights() -> ModelWeights? {
        session.withLock { ModelWeights(layout: $0.mlp.layout, parameters: $0.mlp.parameterArray(), step: $0.position.step) }
    }

    /// Applies a control change and wakes the training thread if it sleeps.
    private func update(_ change: (inout Controls) -> Void) {
        let wake = controls.withLock { c in
            change(&c)
            return c.wake
        }
        wake?.ring()
    }

    // MARK: The training thread (called by the TrainingGroup that started this run)

    /// Joins the group whose thread will train this run; false if it was started or ended before.
    func claim(wake: TrainingGroup.Wake) -> Bool {
        controls.withLock { c in
            guard !c.started, !c.finished else { return false }
            c.started = true
            c.wake = wake
            return true
        }
    }

    func announceStart() {
        channel.send(.started(info))
        channel.send(.stateChanged(.running))
    }

    /// What this run does at a batch boundary.
    enum Boundary { case train, paused, stop }

    /// Between batches, without waiting: applies an lr change and the layer-health request,
    /// announces a pause or the resume after one (`announcedPause`), and says whether to train.
    func boundary(announcedPause: inout Bool) -> Boundary {
        let (stop, lr, paused, health) = controls.withLock { c in
            let request = (c.stopRequested, c.pendingLearningRate, c.paused, c.layerHealthEvery)
            c.pendingLearningRate = nil
            return request
        }
        if stop { return .stop }
        session.withLock { session in
            if let lr { session.setLearningRate(lr) }
            session.setLayerHealth(every: health)
        }
        if !paused {
            if announcedPause {
                announcedPause = false
                session.withLock { $0.resetThroughput() }
                channel.send(.stateChanged(.running))
            }
            return .train
        }
        if !announcedPause {
            announcedPause = true
            channel.send(.stateChanged(.paused))
        }
        return .paused
    }

    /// Trains one batch (or evaluates a finished epoch); true while there is more to do. A
    /// divergence pauses this run (first, so that a resume sent in reply to `.diverged` is not lost)
    /// and is announced; `.diverged` stands for the pause, no `.paused` follows.
    func advance(announcedPause: inout Bool) -> Bool {
        switch session.withLock({ $0.advance() }) {
        case .progressed:
            return true
        case .finished:
            end(.done)
            return false
        case .diverged(let divergence):
            controls.withLock { $0.paused = true }
            announcedPause = true
            channel.send(.stateChanged(.diverged(divergence)))
            return true
        }
    }

    func end(_ state: RunState) {
        controls.withLock { $0.finished = true }
        channel.send(.stateChanged(state))
        channel.finish()
    }
}

// MARK: Instrumentation (package-internal: for the benchmark, not for front ends)

extension Trainer {
    /// Trains one batch (or evaluates a finished epoch) on the calling thread, bypassing the queue
    /// and the controls, and says which it was. Lets `mnist-tui-bench --count-allocations` count
    /// the heap allocations of a whole training step, event emission included. Never mix with `start()`.
    package func advanceOnCallingThread() -> (trainedBatch: Bool, finished: Bool) {
        let health = controls.withLock { $0.layerHealthEvery }
        return session.withLock { session in
            session.setLayerHealth(every: health)
            let before = session.position.step
            let outcome = session.advance()
            return (session.position.step != before, outcome == .finished)
        }
    }
}
