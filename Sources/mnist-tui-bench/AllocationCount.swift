#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import Engine
import MNISTData

/// Counts heap allocations of training steps through scripts/alloc-counter.c, preloaded.
enum AllocationCount {
    typealias Counter = @convention(c) () -> Int

    /// The calling thread's allocation counter, when the counting library is preloaded.
    static func threadCounter() -> Counter? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mnist_alloc_count_thread") else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)
        #else
        return nil
        #endif
    }

    /// Trains `epochs` epochs step by step on this thread, counting allocations in training steps
    /// (gather, forward, loss, backward, update, divergence check, `.batch` event) apart from the
    /// per-epoch evaluation. A task drains the events as a front end would.
    static func run(dataset: Dataset, config: TrainingConfig, epochs: Int) async throws {
        guard let counter = threadCounter() else {
            print("--count-allocations needs the counting library preloaded:\n"
                  + "  cc -O2 -shared -fPIC -o /tmp/alloc-counter.so scripts/alloc-counter.c\n"
                  + "  LD_PRELOAD=/tmp/alloc-counter.so .build/release/mnist-tui-bench --count-allocations")
            return
        }
        var config = config
        config.epochs = epochs
        mnist_blas_set_threads(Int32(config.threads))  // as the trainer's queue would
        let trainer = try Trainer(dataset: dataset, config: config)
        let drain = Task.detached { var n = 0; for await _ in trainer.events { n += 1 }; return n }
        var batches = 0, batchAllocations = 0, evaluations = 0, evaluationAllocations = 0
        var firstBatchAllocations = 0
        while true {
            let before = counter()
            let (trained, finished) = trainer.advanceOnCallingThread()
            let count = counter() - before
            if finished { break }
            if trained {
                if batches == 0 { firstBatchAllocations = count } else { batchAllocations += count }
                batches += 1
            } else {
                evaluations += 1
                evaluationAllocations += count
            }
        }
        trainer.stop()
        _ = drain
        print("BLAS threads \(config.threads): allocations on the training thread: first step \(firstBatchAllocations) (one-time setup), "
              + "then \(batchAllocations) in \(batches - 1) training steps; "
              + "\(evaluationAllocations) in \(evaluations) epoch evaluations (outside the training pass)")
    }
}
