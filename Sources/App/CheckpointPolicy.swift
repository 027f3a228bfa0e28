import Engine
import Synchronization

/// `--save FILE` as one of the run's outputs: saves every `--checkpoint-every` epochs, when the
/// run completes, and when it ends any other way except the user's own answer at the quit question
/// (a signal, a divergence headless). Reports each save; a failed final save is an error (status 1).
final class CheckpointPolicy: RunOutput {
    let saver: CheckpointSaver
    /// `--checkpoint-every N`.
    let every: Int?
    /// The run's final state is on disk (saved when `.done` arrived).
    private let finalSaved = Mutex(false)

    init(saver: CheckpointSaver, every: Int?) {
        self.saver = saver
        self.every = every
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        switch event {
        case .epoch(let metrics):
            guard let every, metrics.epoch % every == 0 else { return [] }
            // A failure is reported; training goes on (a later save may work).
            return [save()]
        case .stateChanged(.done):
            var report = save()
            report.savedRun = !report.isError
            finalSaved.withLock { $0 = report.savedRun }
            return [report]
        default:
            return []
        }
    }

    func finish(_ ending: RunEnding) -> [OutputReport] {
        guard ending.savesCheckpoint, !finalSaved.withLock({ $0 }) else { return [] }
        return [save()]
    }

    private func save() -> OutputReport {
        do {
            return OutputReport(text: try saver.save())
        } catch {
            return OutputReport(text: "\(error)", isError: true)
        }
    }
}
