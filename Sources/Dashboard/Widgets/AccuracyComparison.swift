import Cells
import Engine

// The accuracy panel when runs are compared: the best test accuracy of all (which run, which
// epoch), then a table of test accuracy per epoch with a column per run (marked as in the loss
// chart's legend); each run's best in bold, the best of all starred.

/// One run's column in the table.
struct AccuracyColumn: Sendable {
    var mark: RunMark
    var label: String
    var epochs: [EpochSummary]
}

extension AppState {
    /// Live runs in order, then ghosts; empty for a run alone (the panel then draws as always).
    var accuracyComparison: [AccuracyColumn] {
        guard runs.count > 1 || !ghosts.isEmpty else { return [] }
        let live = runs.enumerated().map {
            AccuracyColumn(mark: RunMark(index: $0, isGhost: false, focused: $0 == focusedRun), label: $1.label,
                           epochs: $1.epochs.map(\.summary))
        }
        let old = ghosts.enumerated().map {
            AccuracyColumn(mark: RunMark(index: $0, isGhost: true), label: $1.label, epochs: $1.epochs.map(\.summary))
        }
        return live + old
    }
}

enum AccuracyComparison {
    /// Columns of one run's figure: " 97.81%" and a star.
    static let columnWidth = 8
    static let epochWidth = 4

    static func draw(_ columns: [AccuracyColumn], in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let best = columns.indices.flatMap { c in columns[c].epochs.map { (column: c, epoch: $0) } }
            .max { $0.epoch.testAccuracy < $1.epoch.testAccuracy }
        guard let best else {
            grid.put("waiting for the first evaluation…", x: rect.x, y: rect.y, style: theme.style(.dim), limit: rect.width)
            return
        }
        // MARK: The best of all runs
        let winner = columns[best.column]
        var x = grid.put("best ", x: rect.x, y: rect.y, style: theme.style(.label), limit: rect.width)
        x = grid.put(winner.mark.tag(theme), x: x, y: rect.y, style: winner.mark.style(theme), limit: max(0, rect.maxX - x))
        x = grid.put(" " + Format.percent(best.epoch.testAccuracy) + " @ epoch \(best.epoch.epoch) " + String(theme.glyphs.best),
                     x: x, y: rect.y, style: theme.style(.best), limit: max(0, rect.maxX - x))
        grid.put(" " + winner.label, x: x, y: rect.y, style: theme.style(.normal), limit: max(0, rect.maxX - x))
        guard rect.height >= 3 else { return }

        // MARK: Test accuracy per epoch, a column per run (as many as fit; live runs first)
        let shown = Array(columns.prefix(max(1, (rect.width - epochWidth) / columnWidth)))
        x = grid.put(Format.padLeft("ep", epochWidth), x: rect.x, y: rect.y + 1, style: theme.style(.label), limit: rect.width)
        for column in shown {
            let tag = column.mark.tag(theme)
            x = grid.put(Format.padLeft(tag, columnWidth - 2) + "  ", x: x, y: rect.y + 1, style: column.mark.style(theme),
                         limit: max(0, rect.maxX - x))
        }
        let lastEpoch = shown.compactMap { $0.epochs.map(\.epoch).max() }.max() ?? 0
        let firstEpoch = shown.compactMap { $0.epochs.map(\.epoch).min() }.min() ?? 1
        let rows = rect.height - 2
        let epochs = Array(max(firstEpoch, lastEpoch - rows + 1)...max(firstEpoch, lastEpoch))
        let runBest = shown.map { column in column.epochs.max { $0.testAccuracy < $1.testAccuracy }?.epoch }
        for (offset, epoch) in epochs.enumerated() {
            let y = rect.y + 2 + offset
            x = grid.put(Format.padLeft(String(epoch), epochWidth), x: rect.x, y: y, style: theme.style(.label), limit: rect.width)
            for (c, column) in shown.enumerated() {
                guard let figure = column.epochs.last(where: { $0.epoch == epoch }) else {
                    x = grid.put(Format.padLeft("-", columnWidth - 2) + "  ", x: x, y: y, style: theme.style(.dim),
                                 limit: max(0, rect.maxX - x))
                    continue
                }
                let isBest = c == best.column && epoch == best.epoch.epoch
                let role: Role = isBest ? .best : runBest[c] == epoch ? .bold : column.mark.isGhost ? .dim : .normal
                x = grid.put(Format.padLeft(Format.percent(figure.testAccuracy), columnWidth - 1), x: x, y: y,
                             style: theme.style(role), limit: max(0, rect.maxX - x))
                x = grid.put(isBest ? String(theme.glyphs.best) : " ", x: x, y: y, style: theme.style(.best),
                             limit: max(0, rect.maxX - x))
            }
        }
    }
}
