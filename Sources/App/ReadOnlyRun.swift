import Engine

/// The run behind a dashboard that steers nothing (`watch` follows another process's file;
/// `evaluate` shows a finished model). `AppState.readOnly` keeps the steering keys from reaching
/// here; these are the backstop: nothing happens, and a save says why it cannot.
final class ReadOnlyRun: RunControl {
    /// Why there is nothing to steer, as a save failure reports it.
    let reason: String
    /// The model looked at (`evaluate`); nil when watching a file, which holds no weights.
    let weights: ModelWeights?

    init(reason: String, weights: ModelWeights? = nil) {
        self.reason = reason
        self.weights = weights
    }

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    func pause() {}
    func resume() {}
    func setLearningRate(_ lr: Float, run: Int) {}
    func setLayerHealth(every steps: Int?, run: Int) {}
    func saveCheckpoint(to path: String?) throws -> String {
        throw Refusal(description: reason)
    }
    func currentWeights(run: Int) -> ModelWeights? { weights }
}
