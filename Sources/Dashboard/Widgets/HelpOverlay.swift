// The `?` overlay: every key the keymap has help for, in a box over the middle of the screen.
import Cells

enum HelpOverlay {
    /// The keymap's help rows, in its order (a new key shows up here by itself).
    static func lines(theme: Theme) -> [(String, String)] {
        let u = theme.options.unicode
        return Keymap.bindings.compactMap { binding in
            binding.help.map { ($0.keys.text(unicode: u), $0.text.text(unicode: u)) }
        }
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
