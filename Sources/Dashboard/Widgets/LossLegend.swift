import Cells

// The legend under the loss chart when runs are compared: every run by its full label, with its
// marker and colour, DIVERGED when it is paused on a divergence (whichever run is focused), and a
// ghost's skipped partial line. Labels are never cut: the chart gives up rows for them instead.

enum LossLegend {
    /// One run's entry: its pieces and their styles, in order.
    struct Entry {
        var pieces: [(text: String, style: Style)]
        var width: Int { pieces.reduce(0) { $0 + $1.text.unicodeScalars.count } }
    }

    /// Live runs in order (1-4), then ghosts.
    static func entries(_ series: [LossSeries], theme: Theme) -> [Entry] {
        let ordered = series.filter { !$0.mark.isGhost }.sorted { $0.mark.index < $1.mark.index }
            + series.filter(\.mark.isGhost).sorted { $0.mark.index < $1.mark.index }
        return ordered.map { run in
            var pieces: [(String, Style)] = [(run.mark.tag(theme), run.mark.style(theme)),
                                             (" " + run.label, theme.style(run.mark.focused ? .bold : .normal))]
            if run.diverged { pieces.append((" DIVERGED", theme.style(.warning))) }
            if run.partialLinesSkipped > 0 {
                let n = run.partialLinesSkipped
                pieces.append((" (\(n) partial line\(n == 1 ? "" : "s") skipped)", theme.style(.dim)))
            }
            return Entry(pieces: pieces)
        }
    }

    /// Columns between two entries on one row.
    static let gap = 3

    /// The entries packed into rows `width` columns wide, in order. An entry wider than a row is
    /// split after its label: what follows (DIVERGED, a ghost's note) goes on a row of its own.
    static func rows(_ entries: [Entry], width: Int) -> [[Entry]] {
        var rows: [[Entry]] = []
        var used = 0
        let split = entries.flatMap { entry -> [Entry] in
            guard entry.width > width, entry.pieces.count > 2 else { return [entry] }
            let rest = entry.pieces.dropFirst(2).map { (text: String($0.text.drop { $0 == " " }), style: $0.style) }
            return [Entry(pieces: Array(entry.pieces.prefix(2))), Entry(pieces: [(text: "   ", style: Style.plain)] + rest)]
        }
        for entry in split {
            if let last = rows.indices.last, used + gap + entry.width <= width {
                rows[last].append(entry)
                used += gap + entry.width
            } else {
                rows.append([entry])
                used = entry.width
            }
        }
        return rows
    }

    static func draw(_ rows: [[Entry]], in rect: Rect, grid: inout CellGrid) {
        for (offset, row) in rows.prefix(rect.height).enumerated() {
            var x = rect.x
            for entry in row {
                for piece in entry.pieces {
                    x = grid.put(piece.text, x: x, y: rect.y + offset, style: piece.style, limit: max(0, rect.maxX - x))
                }
                x += gap
            }
        }
    }
}
