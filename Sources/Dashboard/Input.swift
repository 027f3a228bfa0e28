// CONTRACT (skeleton): what the terminal backend hands to the dashboard, and what the dashboard
// asks of the trainer. The dashboard stays pure: it never calls the trainer itself.

/// A decoded key press.
public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, left, right
    case enter
    case escape
    case backspace
    case tab
    case pageUp, pageDown, home, end
    case function(Int)
}

/// An action the dashboard asks the app to carry out on the trainer or the program.
public enum Command: Sendable, Equatable {
    case pause
    case resume
    case setLearningRate(Float)
    /// Save a checkpoint now (issue 4).
    case saveCheckpoint
    /// Leave the program.
    case quit
}
