#if canImport(Glibc)
import Glibc
#endif
import Engine
import MNISTData

/// Counts heap allocations of training steps through scripts/alloc-counter.c, preloaded.
enum AllocationCount {
    typealias Counter = @convention(c) () -> Int

    /// The calling thread's allocation counter, when the counting library is preloaded.
    static func threadCounter() -> Counter? { counter(named: "mnist_alloc_count_thread") }

    /// The all-threads allocation counter, when the counting library is preloaded.
    static func totalCounter() -> Counter? { counter(named: "mnist_alloc_count_total") }

    /// A counter function of the preloaded library, by name.
    private static func counter(named name: String) -> Counter? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)
        #else
        return nil
        #endif
    }

    /// Trains `epochs` epochs step by step on this thread and counts this thread's allocations in
    /// training steps (gather, forward, loss, backward, update, divergence check, history, `.batch`
    /// event) apart from the per-epoch evaluation. Twice: with the events drained only at the end
    /// (then every thread's allocations in the steps too: the sparse kernels' pool and BLAS's), and
    /// with a task consuming them live (each wake-up of a waiting consumer is a job enqueue).
    static func run(dataset: Dataset, config: TrainingConfig, epochs: Int) async throws {
        guard let counter = threadCounter() else {
            print("--count-allocations needs the counting library preloaded:\n"
                  + "  cc -O2 -shared -fPIC -o /tmp/alloc-counter.so scripts/alloc-counter.c\n"
                  + "  LD_PRELOAD=/tmp/alloc-counter.so .build/release/mnist-tui-bench --count-allocations")
            return
        }
        var config = config
        config.epochs = epochs
        BlasThreads.set(config.threads)  // as the trainer's queue would
        print("\(config.optimizer.rawValue), BLAS threads \(config.threads), \(epochs) epochs; heap allocations on the training thread:")
        for live in [false, true] {
            let trainer = try Trainer(dataset: dataset, config: config)
            let consumer = live ? Task.detached { for await _ in trainer.events {} } : nil
            var steps = 0, stepAllocations = 0, stepsAllocating = 0, first = 0, evaluations = 0, evaluationAllocations = 0
            // Every thread's (the sparse kernels' pool, BLAS's): only when no consumer task runs.
            let total = live ? nil : totalCounter()
            var allThreads = 0
            while true {
                let before = counter(), totalBefore = total?() ?? 0
                let (trained, finished) = trainer.advanceOnCallingThread()
                let count = counter() - before
                if finished { break }
                if trained && steps > 0 { allThreads += (total?() ?? 0) - totalBefore }
                if !trained {
                    evaluations += 1
                    evaluationAllocations += count
                } else if steps == 0 {
                    first = count
                    steps += 1
                } else {
                    steps += 1
                    stepAllocations += count
                    stepsAllocating += count > 0 ? 1 : 0
                }
            }
            trainer.stop()
            if let consumer { await consumer.value } else { for await _ in trainer.events {} }
            print("  \(live ? "live consumer:   " : "drained at end:  ") first step \(first) (one-time), then "
                  + "\(stepAllocations) in \(steps - 1) steps (\(stepsAllocating) steps allocated); "
                  + "\(evaluationAllocations) in \(evaluations) evaluations"
                  + (total == nil ? "" : "; all threads: \(allThreads) in those steps"))
        }
    }
}
