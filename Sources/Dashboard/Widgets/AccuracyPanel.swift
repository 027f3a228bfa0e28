// The accuracy panel: latest train and test accuracy, the best epoch, and a table of epochs with
// a bar for test accuracy.
import Cells
import Engine

enum AccuracyPanel {
    static let title = "Accuracy"

    /// Draws the epochs' figures (its slice of the state: `AppState.accuracyPanel`).
    static func draw(_ epochs: [EpochSummary], in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        guard let last = epochs.last else {
            grid.put("waiting for the first evaluation…", x: rect.x, y: rect.y, style: theme.style(.dim),
                     limit: rect.width)
            return
        }
        let bestIndex = epochs.indices.max { epochs[$0].testAccuracy < epochs[$1].testAccuracy } ?? 0
        let best = epochs[bestIndex]
        var x = grid.put("test ", x: rect.x, y: rect.y, style: theme.style(.label), limit: rect.width)
        x = grid.put(Format.percent(last.testAccuracy), x: x, y: rect.y, style: theme.style(.testAccuracy),
                     limit: rect.maxX - x)
        x = grid.put("  train ", x: x, y: rect.y, style: theme.style(.label), limit: rect.maxX - x)
        grid.put(Format.percent(last.trainAccuracy), x: x, y: rect.y, style: theme.style(.trainAccuracy),
                 limit: rect.maxX - x)
        guard rect.height >= 2 else { return }
        x = grid.put("best ", x: rect.x, y: rect.y + 1, style: theme.style(.label), limit: rect.width)
        grid.put(Format.percent(best.testAccuracy) + " @ epoch \(best.epoch) " + String(theme.glyphs.best),
                 x: x, y: rect.y + 1, style: theme.style(.best), limit: rect.maxX - x)
        guard rect.height >= 4 else { return }

        // MARK: Table of the latest epochs that fit
        let rowsForEpochs = rect.height - 3
        let shown = epochs.suffix(rowsForEpochs)
        let lowest = shown.map(\.testAccuracy).min() ?? 0.9
        let floor = min(0.9, (lowest * 10).rounded(.down) / 10)
        let tableWidth = 21
        let barWidth = rect.width - tableWidth - 3
        var header = "  ep   train    test"
        if barWidth >= 4 { header += "   " + Format.percent(floor, decimals: 0) + "…100%" }
        grid.put(header, x: rect.x, y: rect.y + 2, style: theme.style(.label), limit: rect.width)
        for (offset, epoch) in shown.enumerated() {
            let y = rect.y + 3 + offset
            let isBest = epoch.epoch == best.epoch
            let text = Format.padLeft(String(epoch.epoch), 4) + "  "
                + Format.padLeft(Format.percent(epoch.trainAccuracy), 6) + "  "
                + Format.padLeft(Format.percent(epoch.testAccuracy), 6)
            grid.put(text, x: rect.x, y: y, style: theme.style(isBest ? .best : .normal), limit: rect.width)
            if isBest { grid.put(String(theme.glyphs.best), x: rect.x + tableWidth + 1, y: y, style: theme.style(.best)) }
            if barWidth >= 4 {
                let fraction = max(0, min(1, (epoch.testAccuracy - floor) / (1 - floor)))
                let filled = Int((fraction * Double(barWidth)).rounded())
                let bar = String(repeating: String(theme.glyphs.barFull), count: filled)
                grid.put(bar, x: rect.x + tableWidth + 3, y: y,
                         style: theme.style(isBest ? .best : .testAccuracy), limit: barWidth)
            }
        }
    }
}

extension AppState {
    /// What the accuracy panel draws: each epoch's figures (no step positions).
    var accuracyPanel: [EpochSummary] { epochs.map(\.summary) }
}
