// The run's outputs: everything that turns training events into files (the metrics, the --save
// checkpoint; later TensorBoard files, a report, an export). Both modes feed the same list the
// same way, so adding an output is a new type and a line in `RunOutputs.make`, not an edit of
// either loop.
import Engine
import Synchronization

/// How a run ended, as the outputs need to know it.
enum RunEnding: Sendable, Equatable {
    /// Every epoch trained.
    case completed
    /// The loss diverged (headless ends there).
    case diverged
    /// SIGINT, SIGTERM or SIGHUP ended it.
    case signal(Int32)
    /// The user quit the dashboard (after answering the save question, if it was asked).
    case quit

    /// Whether the --save checkpoint is written at this ending: always, except when the user chose
    /// at the quit question (the dashboard saved it then, or was told not to).
    var savesCheckpoint: Bool { self != .quit }
}

/// One line an output tells the user: on stderr headless, in the keys line in the dashboard.
struct OutputReport: Sendable, Equatable {
    var text: String
    var isError = false
    /// The whole run is saved (the final checkpoint was written): quitting loses nothing.
    var savedRun = false
}

/// Something that consumes the run's events. Called from one consumer at a time (the headless
/// loop, or the dashboard's output task), in event order; `finish` once, after the last event.
protocol RunOutput: AnyObject, Sendable {
    /// Takes one event; returns what to tell the user now (usually nothing). Must not block for
    /// long: training does not wait, but the queue in front of this consumer grows meanwhile.
    func record(_ event: TrainingEvent) -> [OutputReport]
    /// The run has ended: finish the file and say what went wrong, if anything. An error report
    /// makes an otherwise successful run exit with status 1.
    func finish(_ ending: RunEnding) -> [OutputReport]
}

/// An output could not be set up (one line naming the option and what is wrong).
struct OutputError: Error, CustomStringConvertible {
    let description: String
}

/// The program's outputs, in the order they were given.
final class RunOutputs: Sendable {
    let outputs: [any RunOutput]

    init(_ outputs: [any RunOutput]) {
        self.outputs = outputs
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        var reports: [OutputReport] = []
        for output in outputs { reports += output.record(event) }
        return reports
    }

    func finish(_ ending: RunEnding) -> [OutputReport] {
        outputs.flatMap { $0.finish(ending) }
    }

    /// The one place the outputs are chosen from the command line. A new output is a line here.
    static func make(command: MNISTTUICommand, saver: CheckpointSaver) throws -> RunOutputs {
        var outputs: [any RunOutput] = []
        if let path = command.metrics { outputs.append(try MetricsWriter(path: path)) }
        if saver.automatic { outputs.append(CheckpointPolicy(saver: saver, every: command.checkpointEvery)) }
        return RunOutputs(outputs)
    }
}

/// Carries reports from the dashboard's output task to the UI loop, which drains them per frame.
final class ReportInbox: Sendable {
    private let reports = Mutex<[OutputReport]>([])

    func append(_ new: [OutputReport]) {
        guard !new.isEmpty else { return }
        reports.withLock { $0 += new }
    }

    func drain() -> [OutputReport] {
        reports.withLock { reports in
            defer { reports = [] }
            return reports
        }
    }
}

/// The dashboard's output consumer: a task that feeds `Trainer.events` (its own queue) to the
/// outputs, so files are written off the UI thread and the UI never waits on a disk.
final class OutputPump: Sendable {
    private let task: Task<Void, Never>
    private let done = Flag()

    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    init(events: AsyncStream<TrainingEvent>, outputs: RunOutputs, inbox: ReportInbox) {
        let done = self.done
        task = Task.detached {
            for await event in events { inbox.append(outputs.record(event)) }
            done.value.store(true, ordering: .releasing)
        }
    }

    /// The events have ended and every one was recorded.
    var isFinished: Bool { done.value.load(ordering: .acquiring) }

    /// Waits up to `seconds` for the events to end (after `Trainer.stop()`); then gives up on the
    /// rest, so a stuck trainer cannot keep the program from exiting. True if it ended in time.
    func waitForEnd(seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !isFinished && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !isFinished { task.cancel() }
        return isFinished
    }
}
