// Drawing helpers on the cell grid: text, fills, boxes. Everything clips; nothing traps.
import Cells

/// Colours and attributes for a run of cells.
public struct Style: Sendable, Equatable {
    public var foreground: CellColor
    public var background: CellColor
    public var attributes: CellAttributes

    public init(foreground: CellColor = .default, background: CellColor = .default,
                attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = Style()

    func cell(_ character: Unicode.Scalar) -> Cell {
        Cell(character, foreground: foreground, background: background, attributes: attributes)
    }
}

extension CellGrid {
    /// Writes `text` from (x, y), one scalar a column, clipped to `limit` columns (and the grid).
    /// Returns the x just after the text.
    @discardableResult
    mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int = .max) -> Int {
        var column = x
        var written = 0
        for scalar in text.unicodeScalars {
            if written >= limit { break }
            self[column, y] = style.cell(scalar)
            column += 1
            written += 1
        }
        return column
    }

    mutating func fill(_ rect: Rect, with cell: Cell = .blank) {
        guard !rect.isEmpty else { return }
        for y in rect.y..<rect.maxY {
            for x in rect.x..<rect.maxX { self[x, y] = cell }
        }
    }

    /// A bordered panel with a title in the top border. Returns the inner rectangle.
    @discardableResult
    mutating func box(_ rect: Rect, title: String, theme: Theme, focused: Bool = false,
                      rightTitle: String = "") -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let g = theme.glyphs
        let border = theme.style(focused ? .borderFocused : .border)
        let x0 = rect.x, x1 = rect.maxX - 1, y0 = rect.y, y1 = rect.maxY - 1
        for x in (x0 + 1)..<x1 {
            self[x, y0] = border.cell(g.horizontal)
            self[x, y1] = border.cell(g.horizontal)
        }
        for y in (y0 + 1)..<y1 {
            self[x0, y] = border.cell(g.vertical)
            self[x1, y] = border.cell(g.vertical)
        }
        self[x0, y0] = border.cell(g.topLeft)
        self[x1, y0] = border.cell(g.topRight)
        self[x0, y1] = border.cell(g.bottomLeft)
        self[x1, y1] = border.cell(g.bottomRight)
        // Title: " Loss " after the corner, then an optional right-hand note.
        let room = rect.width - 4
        if room > 0, !title.isEmpty {
            put(" " + title + " ", x: x0 + 1, y: y0, style: theme.style(focused ? .titleFocused : .title),
                limit: room + 2)
        }
        // The note goes top right when it fits beside the title, else bottom right.
        let titleEnd = x0 + 1 + title.unicodeScalars.count + 2
        let note = " " + rightTitle + " "
        let noteCount = note.unicodeScalars.count
        if !rightTitle.isEmpty, x1 - noteCount > titleEnd {
            put(note, x: x1 - noteCount, y: y0, style: theme.style(.dim))
        } else if !rightTitle.isEmpty, rect.height >= 3, x1 - noteCount > x0 {
            put(note, x: x1 - noteCount, y: y1, style: theme.style(.dim))
        }
        return rect.inset(1)
    }
}

// MARK: - ASCII mode

extension CellGrid {
    /// ASCII stand-ins for the few non-ASCII characters that appear in text (titles, hints).
    static let asciiReplacements: [Unicode.Scalar: Unicode.Scalar] = [
        "·": "-", "→": ">", "←": "<", "…": "-", "×": "x", "÷": "/", "★": "*", "✓": "+", "✗": "x",
        "↑": "^", "↓": "v", "◆": "o", "─": "-", "│": "|", "━": "=",
    ]

    /// Replaces every non-ASCII character with its stand-in (or `?`), so ASCII mode is pure ASCII
    /// whatever text a widget wrote.
    mutating func makeASCII() {
        for y in 0..<height {
            for x in 0..<width {
                var cell = self[x, y]
                guard !cell.character.isASCII else { continue }
                cell.character = Self.asciiReplacements[cell.character] ?? "?"
                self[x, y] = cell
            }
        }
    }
}
