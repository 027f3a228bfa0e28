import Cells

// The mouse: a shortcut to keys. Every click and wheel notch here is carried out as the keymap
// action a key would trigger (`perform`), so each has a key and behaves exactly like it:
// - a click on the confusion matrix focuses it (Tab); on one of its cells, also selects the cell
//   and opens its digits in the browser (arrows, then Enter);
// - a click on any other panel takes the focus off the matrix (Esc);
// - the wheel steps through the browser's digits (← →);
// - a click closes the help (any key).
// Where a click lands is found with the same `Layout` the last frame was drawn with.

extension AppState {
    /// Handles one mouse report on a `width` x `height` screen (the layout the last frame used is
    /// recomputed from it, so a click lands on the panel drawn there).
    public mutating func handle(mouse: MouseEvent, width: Int, height: Int, now: Double) -> [Command] {
        // Views that take the mouse themselves (the drawing canvas) go first.
        if handleCanvasMouse(mouse, width: width, height: height) { return [] }

        switch keyContexts.first {
        case .pathEditor, .quitQuestion:
            return []  // questions are answered with keys
        case .help:
            return mouse.action == .press ? perform(.closeHelp, now: now) : []
        default:
            break
        }
        // The "too small" screen has no panels to click.
        guard width >= DashboardView.minimumWidth, height >= DashboardView.minimumHeight else { return [] }
        let layout = Layout(width: width, height: height, classes: classCount)
        switch mouse.action {
        case .scrollUp:
            return browser != nil ? perform(.previousDigit, now: now) : []
        case .scrollDown:
            return browser != nil ? perform(.nextDigit, now: now) : []
        case .press where mouse.button == .left:
            return click(x: mouse.x, y: mouse.y, layout: layout, now: now)
        case .press, .drag, .release:
            return []
        }
    }

    /// A left click at (x, y).
    private mutating func click(x: Int, y: Int, layout: Layout, now: Double) -> [Command] {
        // The browser is drawn over the panels it covers: a click on it stays in it.
        if browser != nil && layout.browser.contains(x: x, y: y) { return [] }
        guard layout.confusion.contains(x: x, y: y) else {
            return focus == .confusion ? perform(.leaveConfusion, now: now) : []
        }
        var commands = focus == .confusion ? [] : perform(.focusConfusion, now: now)
        let classes = latest?.confusion.classes ?? 0
        if let cell = ConfusionPanel.cell(atX: x, y: y, in: layout.confusion.inset(1), classes: classes) {
            selection = cell
            commands += perform(.browseCell, now: now)
        }
        return commands
    }
}
