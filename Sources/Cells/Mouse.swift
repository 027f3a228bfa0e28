// Mouse input, as the terminal backend decodes it (xterm SGR reports through ncurses).

/// One mouse report: what happened, with which button, at which screen cell.
public struct MouseEvent: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// A button went down.
        case press
        /// The pointer moved with a button held.
        case drag
        /// The button came up.
        case release
        /// The wheel turned (one notch).
        case scrollUp, scrollDown
    }

    public enum Button: Sendable, Hashable {
        case left, middle, right
        /// Wheel notches and releases some terminals do not attribute.
        case none
    }

    public var action: Action
    public var button: Button
    /// 0-based screen column and row.
    public var x: Int
    public var y: Int

    public init(action: Action, button: Button, x: Int, y: Int) {
        self.action = action
        self.button = button
        self.x = x
        self.y = y
    }
}
