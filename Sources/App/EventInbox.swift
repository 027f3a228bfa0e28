import Engine
import Synchronization

/// Hands training events from the task that drains `Trainer.events` to the UI loop.
///
/// Unbounded and lossless: every event is kept until the UI takes it (every per-batch loss
/// belongs on the chart), and the producer never waits. The UI takes everything at once per tick.
final class EventInbox: Sendable {
    private struct State {
        var events: [TrainingEvent] = []
        var finished = false
    }

    private let state = Mutex(State())

    func append(_ event: TrainingEvent) {
        state.withLock { $0.events.append(event) }
    }

    /// The stream has ended; no more events will come.
    func finish() {
        state.withLock { $0.finished = true }
    }

    /// Takes every event received so far, in order.
    func drain() -> (events: [TrainingEvent], finished: Bool) {
        state.withLock { state in
            let events = state.events
            state.events = []
            return (events, state.finished)
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }
}
