// Several runs trained together on one training thread (issue 9's comparisons): one batch of each
// in turn. Each run keeps its own controls, events and snapshot (its `Trainer`); the group owns
// only the thread and the schedule. `Trainer.start()` is a group of one.
import Dispatch
import MNISTData
import Synchronization

/// Trains its runs on one background thread, round robin: one `advance` (a batch, or an epoch's
/// evaluation) of each run that is not paused, in the order given, then again.
///
/// Fair and exact: runs share nothing but the thread (and the dataset's bytes, a copy-on-write
/// value), so each run's events are the ones it sends trained alone with the same thread count.
/// BLAS's thread count is process-wide: the group sets it to each run's own `threads` before its
/// step when it differs from the last run's. A paused or diverged run is skipped while the others
/// go on; while every run still going is paused the thread sleeps until a control changes.
public final class TrainingGroup: Sendable {
    /// The runs, in schedule order (run 1 first).
    public let trainers: [Trainer]
    private let wake = Wake()
    private let queue = DispatchQueue(label: "mnist-tui.trainer", qos: .userInitiated)

    public init(_ trainers: [Trainer]) {
        self.trainers = trainers
    }

    /// Plans each run (`Trainer.plan`) and refuses runs that fit one by one but not together: the
    /// dataset is loaded once, everything else is each run's own.
    public static func plan(dataset: Dataset, configs: [TrainingConfig],
                            memoryLimit: Int? = nil) throws(TrainingConfigError) -> [Trainer.Plan] {
        var plans: [Trainer.Plan] = []
        for config in configs { plans.append(try Trainer.plan(dataset: dataset, config: config, memoryLimit: memoryLimit)) }
        let shared = MemoryEstimate.sharedBytes(dataset)
        let total = plans.reduce(shared) { $0 &+ ($1.memory.bytes - shared) }
        if let available = memoryLimit ?? MemoryEstimate.physicalMemory(), total > available {
            throw .memory(needed: total, available: available,
                          parameterCount: plans.reduce(0) { $0 &+ $1.memory.parameterCount })
        }
        return plans
    }

    /// Starts the thread. Runs already started (or stopped before starting) are left out; a group
    /// whose runs were all started before does nothing.
    public func start() {
        let runs = trainers.filter { $0.claim(wake: wake) }
        guard !runs.isEmpty else { return }
        queue.async { [self] in train(runs) }
    }

    /// Pauses every run before its next batch.
    public func pause() { trainers.forEach { $0.pause() } }
    /// Resumes every paused or diverged run.
    public func resume() { trainers.forEach { $0.resume() } }
    /// Ends every run after its current batch.
    public func stop() { trainers.forEach { $0.stop() } }

    // MARK: The training thread

    private struct Slot {
        let trainer: Trainer
        var announcedPause = false
        var ended = false
    }

    private func train(_ runs: [Trainer]) {
        var slots = runs.map { Slot(trainer: $0) }
        // The thread count of the run last stepped: set again only when the next run's differs. Each
        // step then sets what its batch needs (`InputBatch.applyBlasThreads`: 1 on a sparse step), so
        // setting the run's count before every step would undo that and cost two calls a batch.
        var runThreads = 0
        for slot in slots { slot.trainer.announceStart() }
        while slots.contains(where: { !$0.ended }) {
            // Read before looking at the controls: a change made after this wakes the wait below.
            let generation = wake.generation
            var trained = false
            for i in slots.indices where !slots[i].ended {
                let trainer = slots[i].trainer
                switch trainer.boundary(announcedPause: &slots[i].announcedPause) {
                case .stop:
                    trainer.end(.stopped)
                    slots[i].ended = true
                case .paused:
                    continue
                case .train:
                    if trainer.info.config.threads != runThreads {
                        runThreads = trainer.info.config.threads
                        BlasThreads.set(runThreads)
                    }
                    slots[i].ended = !trainer.advance(announcedPause: &slots[i].announcedPause)
                    trained = true
                }
            }
            if !trained { wake.sleep(unlessRungSince: generation) }
        }
    }

    /// Puts the training thread to sleep while every run is paused, and wakes it when any control
    /// changes (no spinning, no CPU). A ring between reading `generation` and sleeping is not lost.
    final class Wake: Sendable {
        private struct State {
            var generation = 0
            var sleeping = false
        }
        private let state = Mutex(State())
        private let semaphore = DispatchSemaphore(value: 0)

        var generation: Int { state.withLock { $0.generation } }

        /// A control changed: wakes the thread if it sleeps.
        func ring() {
            let wake = state.withLock { s in
                s.generation &+= 1
                defer { s.sleeping = false }
                return s.sleeping
            }
            if wake { semaphore.signal() }
        }

        /// Sleeps until the next ring, unless one came after `generation` was read.
        func sleep(unlessRungSince generation: Int) {
            let sleep = state.withLock { s in
                guard s.generation == generation else { return false }
                s.sleeping = true
                return true
            }
            if sleep { semaphore.wait() }
        }
    }
}
