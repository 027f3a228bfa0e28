// The `?` overlay: every key, in a box over the middle of the screen.
import Cells

enum HelpOverlay {
    static func lines(theme: Theme) -> [(String, String)] {
        let u = theme.options.unicode
        let factor = Format.learningRate(AppState.learningRateFactor)
        return [
            ("p, space", "pause / resume training"),
            ("+ (or =)", "raise lr " + (u ? "×" : "x") + factor),
            ("- (or _)", "lower lr " + (u ? "÷" : "/") + factor),
            ("m", "browse misclassified test digits"),
            (u ? "← → h l" : "Left Right h l", "previous / next digit in the browser"),
            ("Home End", "first / last digit in the browser"),
            ("Tab, c", "focus the confusion matrix"),
            ("arrows", "select a confusion cell (when focused)"),
            ("Enter", "browse that cell's digits (true i, predicted j)"),
            ("Esc", "close the browser / leave the matrix"),
            ("L", "loss chart: linear / log scale"),
            ("s", "save a checkpoint now"),
            ("1-4", "focus run 1-4 (status, matrix, browser, +/-)"),
            ("w", "Layers panel: weights, gradients, dead ReLUs"),
            ("?", "this help (any key closes it)"),
            ("q", "quit"),
        ]
    }

    static func draw(in area: Rect, grid: inout CellGrid, theme: Theme) {
        let entries = lines(theme: theme)
        let keyWidth = entries.map { $0.0.unicodeScalars.count }.max() ?? 0
        let textWidth = entries.map { $0.1.unicodeScalars.count }.max() ?? 0
        let width = min(area.width, keyWidth + textWidth + 7)
        let height = min(area.height, entries.count + 4)
        guard width >= 6, height >= 3 else { return }
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2,
                       width: width, height: height)
        grid.fill(box)
        let inner = grid.box(box, title: "Keys", theme: theme, focused: true)
        for (i, entry) in entries.enumerated() {
            let y = inner.y + 1 + i
            guard y < inner.maxY else { break }
            let x = grid.put(" " + Format.padRight(entry.0, keyWidth) + "  ", x: inner.x, y: y,
                             style: theme.style(.key), limit: inner.width)
            grid.put(entry.1, x: x, y: y, style: theme.style(.normal), limit: max(0, inner.maxX - x))
        }
    }
}
