// What the dashboard asks of the app: it stays pure and never calls the trainer itself.

/// An action the dashboard asks the app to carry out on the trainer or the program.
public enum Command: Sendable, Equatable {
    case pause
    case resume
    case setLearningRate(Float)
    /// Save a checkpoint now, to `path` (nil: where the app saves by default), and report back with
    /// `AppState.finishSave`; with `thenQuit`, the program ends once the save worked.
    case saveCheckpoint(path: String?, thenQuit: Bool)
    /// Leave the program.
    case quit
}
