// What the dashboard asks of the app: it stays pure and never calls the trainer itself.

/// An action the dashboard asks the app to carry out on the trainer or the program.
public enum Command: Sendable, Equatable {
    case pause
    case resume
    case setLearningRate(Float)
    /// Save a checkpoint now.
    case saveCheckpoint
    /// Leave the program.
    case quit
}
