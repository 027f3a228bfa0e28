// The path from the training thread to the consumer of `Trainer.events`.
import Synchronization

/// An unbounded FIFO of events from one producer (the training thread) to the consumer(s) of an
/// `AsyncStream(unfolding:)`.
///
/// Why not `AsyncStream.Continuation.yield`: the standard library runs that generic code
/// unspecialised, and for an element as large as `TrainingEvent` it mallocs a few times per event
/// (measured with `mnist-tui-bench --count-allocations`). Here the producer only writes into a
/// ring that grows by doubling to the run's high-water mark and then never allocates again, and
/// it never waits: at most it resumes a waiting consumer.
final class EventChannel: Sendable {
    private struct State {
        /// Ring storage; `nil` slots are free.
        var ring: [TrainingEvent?] = Array(repeating: nil, count: 1024)
        var head = 0
        var count = 0
        var finished = false
        /// Consumers waiting for the next event, oldest first.
        var waiters: [UnsafeContinuation<TrainingEvent?, Never>] = []

        mutating func push(_ event: TrainingEvent) {
            if count == ring.count {
                // Full: unroll into a ring twice the size (amortised; only while the consumer lags).
                var grown = [TrainingEvent?](repeating: nil, count: ring.count * 2)
                for i in 0..<count { grown[i] = ring[(head + i) % ring.count] }
                ring = grown
                head = 0
            }
            ring[(head + count) % ring.count] = event
            count += 1
        }

        mutating func pop() -> TrainingEvent? {
            guard count > 0 else { return nil }
            let event = ring[head]
            ring[head] = nil
            head = (head + 1) % ring.count
            count -= 1
            return event
        }
    }

    private let state = Mutex(State())

    init() {
        state.withLock { $0.waiters.reserveCapacity(4) }
    }

    /// Queues `event`, or hands it to a waiting consumer. Never blocks, never drops.
    func send(_ event: TrainingEvent) {
        let waiter = state.withLock { s -> UnsafeContinuation<TrainingEvent?, Never>? in
            guard !s.finished else { return nil }
            if s.count == 0, !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.push(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// No more events: consumers get the queued ones, then the end of the stream.
    func finish() {
        let waiters = state.withLock { s -> [UnsafeContinuation<TrainingEvent?, Never>] in
            s.finished = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// The next event, waiting for it if need be; nil once finished and drained (or cancelled).
    func next() async -> TrainingEvent? {
        if let ready = state.withLock({ s in s.pop().map { Optional($0) } ?? (s.finished ? .some(nil) : nil) }) {
            return ready
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<TrainingEvent?, Never>) in
                let immediate = state.withLock { s -> TrainingEvent?? in
                    if let event = s.pop() { return .some(event) }
                    if s.finished || Task.isCancelled { return .some(nil) }
                    s.waiters.append(continuation)
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiters = state.withLock { s -> [UnsafeContinuation<TrainingEvent?, Never>] in
                defer { s.waiters.removeAll() }
                return s.waiters
            }
            for waiter in waiters { waiter.resume(returning: nil) }
        }
    }
}
