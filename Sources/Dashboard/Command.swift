// What the dashboard asks of the app: it stays pure and never calls the trainer itself.

/// An action the dashboard asks the app to carry out on the trainer or the program.
public enum Command: Sendable, Equatable {
    /// Pause every run (resume: every run); a run that diverged pauses alone, by itself.
    case pause
    case resume
    /// The learning rate of run `run` (0-based; the base run is 0).
    case setLearningRate(Float, run: Int = 0)
    /// Ask run `run` for layer-health figures every `every` steps (nil: stop asking; the app
    /// keeps what its outputs need).
    case setLayerHealth(every: Int?, run: Int)
    /// Save a checkpoint now, to `path` (nil: where the app saves by default), and report back with
    /// `AppState.finishSave`; with `thenQuit`, the program ends once the save worked.
    case saveCheckpoint(path: String?, thenQuit: Bool)
    /// Leave the program.
    case quit
}
