// What a screen backend hands to the loop: decoded keys and resizes.

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

/// One decoded piece of terminal input.
public enum TerminalInput: Sendable, Hashable {
    case key(Key)
    /// A click, drag, release or wheel notch (only when the backend enabled the mouse).
    case mouse(MouseEvent)
    /// The terminal changed size; the next frame is redrawn in full.
    case resize
}
