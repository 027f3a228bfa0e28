import Engine
import Interchange
import Synchronization

/// `--tensorboard DIR`: the run's scalars as a TensorBoard event file. Each batch's loss at its
/// step; at the end of each epoch, at the epoch's last step, the train and test loss and accuracy
/// (fractions, as in the metrics file) and the learning rate, then a flush, so TensorBoard shows
/// every finished epoch while the run goes on. A write error is reported once, naming the file.
final class TensorBoardOutput: RunOutput {
    private let writer: TensorBoardWriter
    private let state = Mutex(State())

    private struct State {
        /// The step of the latest batch (an epoch's figures are drawn at its last step).
        var step = 0
        /// A write failed: it was reported, and nothing more is written.
        var failed = false
    }

    init(directory: String) throws(OutputError) {
        do {
            writer = try TensorBoardWriter(directory: directory)
        } catch {
            throw OutputError(description: "--tensorboard \(error)")
        }
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        switch event {
        case .batch(let batch):
            state.withLock { $0.step = batch.step }
            writer.addScalar(tag: TensorBoardTag.batchLoss, value: batch.loss, step: batch.step)
            return []
        case .epoch(let epoch):
            let step = state.withLock { $0.step }
            writer.addScalars([
                (TensorBoardTag.trainLoss, Float(epoch.trainLoss)),
                (TensorBoardTag.trainAccuracy, Float(epoch.trainAccuracy)),
                (TensorBoardTag.testLoss, Float(epoch.testLoss)),
                (TensorBoardTag.testAccuracy, Float(epoch.testAccuracy)),
                (TensorBoardTag.learningRate, epoch.learningRate),
            ], step: step)
            return report { () throws(TensorBoardError) in try writer.flush() }
        case .started, .stateChanged, .learningRateChanged, .layerHealth:
            return []
        }
    }

    func finish(_ ending: RunEnding) -> [OutputReport] {
        report { () throws(TensorBoardError) in try writer.close() }
    }

    /// Runs a flush or close; its first failure becomes one error report.
    private func report(_ body: () throws(TensorBoardError) -> Void) -> [OutputReport] {
        do {
            try body()
            return []
        } catch {
            let first = state.withLock { state in
                defer { state.failed = true }
                return !state.failed
            }
            return first ? [OutputReport(text: "--tensorboard \(error)", isError: true)] : []
        }
    }
}
