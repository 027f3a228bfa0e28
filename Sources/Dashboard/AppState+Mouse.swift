import Cells

// The mouse: every action here also has a key (the Keymap); the mouse is a shortcut to it.

extension AppState {
    /// Handles one mouse report on a `width` x `height` screen (the layout the last frame used is
    /// recomputed from it, so a click lands on the panel drawn there).
    public mutating func handle(mouse: MouseEvent, width: Int, height: Int, now: Double) -> [Command] {
        if handleCanvasMouse(mouse, width: width, height: height) { return [] }
        return []
    }
}
