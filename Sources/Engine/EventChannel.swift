// The paths from the training thread to the consumers of its events: `Trainer.events` (an
// AsyncStream) and any number of `EventSubscription`s (drained without waiting, e.g. by a UI loop).
// Each consumer has its own queue filled straight by the training thread: one queue between the
// engine and each consumer, never two in a row.
import Synchronization

/// An unbounded FIFO of events from one producer (the training thread) to the consumer(s) of an
/// `AsyncStream(unfolding:)`, plus a copy of each event into every subscription's own queue.
///
/// Why not `AsyncStream.Continuation.yield`: the standard library runs that generic code
/// unspecialised, and for an element as large as `TrainingEvent` it mallocs a few times per event
/// (measured with `mnist-tui-bench --count-allocations`). Here the producer only writes into a
/// ring that grows by doubling to the run's high-water mark and then never allocates again, and
/// it never waits: at most it resumes a waiting consumer.
final class EventChannel: Sendable {
    private struct State {
        var ring = EventRing()
        var finished = false
        /// Consumers waiting for the next event, oldest first.
        var waiters: [UnsafeContinuation<TrainingEvent?, Never>] = []
        /// Further consumers, each with its own queue (added before the run starts).
        var subscriptions: [EventSubscription] = []

        mutating func push(_ event: TrainingEvent) { ring.push(event) }
        mutating func pop() -> TrainingEvent? { ring.pop() }
        var count: Int { ring.count }
    }

    private let state = Mutex(State())

    init() {
        state.withLock { $0.waiters.reserveCapacity(4) }
    }

    /// A new consumer with its own queue; it receives every event sent from now on.
    func subscribe() -> EventSubscription {
        let subscription = EventSubscription()
        state.withLock { s in
            if s.finished { subscription.finish() } else { s.subscriptions.append(subscription) }
        }
        return subscription
    }

    /// Queues `event`, or hands it to a waiting consumer. Never blocks, never drops.
    func send(_ event: TrainingEvent) {
        let waiter = state.withLock { s -> UnsafeContinuation<TrainingEvent?, Never>? in
            guard !s.finished else { return nil }
            for subscription in s.subscriptions { subscription.push(event) }
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
            for subscription in s.subscriptions { subscription.finish() }
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

/// One consumer's queue of the run's events, filled by the training thread (which never waits) and
/// drained by its owner without waiting: a UI loop takes everything pending once per frame.
public final class EventSubscription: Sendable {
    private struct State {
        var ring = EventRing()
        var finished = false
    }

    private let state = Mutex(State())

    func push(_ event: TrainingEvent) {
        state.withLock { $0.ring.push(event) }
    }

    func finish() {
        state.withLock { $0.finished = true }
    }

    /// Every event received since the last call, in order, and whether the run's events have ended
    /// (then no more will come).
    public func drain() -> (events: [TrainingEvent], finished: Bool) {
        state.withLock { s in
            var events: [TrainingEvent] = []
            events.reserveCapacity(s.ring.count)
            while let event = s.ring.pop() { events.append(event) }
            return (events, s.finished)
        }
    }
}

extension Trainer {
    /// A queue of its own for one more consumer of this trainer's events (besides `events`).
    /// Subscribe before `start()` to receive them all.
    public func subscribe() -> EventSubscription { channel.subscribe() }
}

/// A ring buffer of events that grows by doubling to the run's high-water mark, then never
/// allocates again (the training thread pushes into it).
struct EventRing {
    /// Ring storage; `nil` slots are free.
    private var ring: [TrainingEvent?] = Array(repeating: nil, count: 1024)
    private var head = 0
    private(set) var count = 0

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
