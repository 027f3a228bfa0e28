import Cells
import Engine

// The Layers panel (`w`, in place of the digits): whether each layer of the focused run is
// learning. A row per figure (weight rms, gradient rms, update/weight ratio, activation mean and
// std, dead ReLUs), a column per layer, each value with a small trend of the last reports: a
// sparkline when there is room, an arrow when there is one column, nothing when there is none.
// Figures, not layers, are the rows: at 80x24 six figures side by side do not fit even once.

/// What the Layers panel draws: its slice of the state.
struct LayersModel {
    /// Input, hidden..., output widths (the columns are the layers between them).
    var layerSizes: [Int]
    /// The focused run's reports, oldest first; the last is the one shown.
    var history: [LayerHealth]
    /// "run 2" when runs are compared.
    var run: String?
}

extension AppState {
    var layersPanel: LayersModel {
        LayersModel(layerSizes: info.layerSizes, history: runs[focusedRun].layerHealthHistory,
                    run: runs.count > 1 ? "run \(focusedRun + 1)" : nil)
    }
}

enum LayersPanel {
    /// The rows: the figure's name and how to read it from a layer's figures.
    static let figures: [(name: String, value: KeyPath<LayerFigures, Float> & Sendable, isShare: Bool)] = [
        ("w rms", \.weightRMS, false),
        ("grad rms", \.gradientRMS, false),
        ("upd/w", \.updateRatio, false),
        ("act mean", \.activationMean, false),
        ("act std", \.activationStd, false),
        ("dead", \.deadFraction, true),
    ]
    static let nameWidth = 9
    static let valueWidth = 6
    /// Trend glyphs, lowest to highest.
    static let unicodeLevels: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Unicode.Scalar] = ["_", ".", "-", "=", "^"]

    static func title(_ model: LayersModel) -> String {
        var parts = ["Layers"]
        if let run = model.run { parts.append(run) }
        if let step = model.history.last?.step { parts.append("step \(step)") }
        return parts.joined(separator: " · ")
    }

    static func draw(_ model: LayersModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        guard let latest = model.history.last, !latest.layers.isEmpty else {
            grid.put("no layer figures yet: they come every \(AppState.layerHealthEvery) steps while this panel shows",
                     x: rect.x, y: rect.y, style: theme.style(.dim), limit: rect.width)
            return
        }
        let layers = latest.layers.count
        // Each layer's column: the value, a space, its trend, a space; as many layers as fit.
        let room = rect.width - nameWidth
        let columnWidth = min(valueWidth + 2 + 8, max(valueWidth + 2, room / layers))
        let shown = min(layers, max(0, (room + 1) / columnWidth))
        let trendWidth = columnWidth - valueWidth - 2

        // MARK: Header: each layer's shape
        var x = grid.put(Format.padRight("layer", nameWidth), x: rect.x, y: rect.y, style: theme.style(.label), limit: rect.width)
        let arrow = String(theme.glyphs.arrow)
        for index in 0..<shown {
            let sizes = model.layerSizes
            let name = index + 1 < sizes.count ? "\(sizes[index])" + arrow + "\(sizes[index + 1])" : "\(index + 1)"
            x = grid.put(Format.padRight(Format.padLeft(name, valueWidth), columnWidth), x: x, y: rect.y, style: theme.style(.label),
                         limit: max(0, rect.maxX - x))
        }
        if shown < layers {
            grid.put("+\(layers - shown)", x: x, y: rect.y, style: theme.style(.dim), limit: max(0, rect.maxX - x))
        }

        // MARK: A row per figure
        for (row, figure) in figures.enumerated() {
            let y = rect.y + 1 + row
            guard y < rect.maxY else { break }
            x = grid.put(Format.padRight(figure.name, nameWidth), x: rect.x, y: y, style: theme.style(.label), limit: rect.width)
            for index in 0..<shown {
                let value = latest.layers[index][keyPath: figure.value]
                let text = figure.isShare ? Format.percent(Double(value), decimals: 1) : number(value)
                let warn = figure.isShare && value >= 0.5
                x = grid.put(Format.padLeft(text, valueWidth), x: x, y: y, style: theme.style(warn ? .warning : .value),
                             limit: max(0, rect.maxX - x))
                let values = model.history.suffix(max(2, trendWidth)).compactMap { report in
                    report.layers.indices.contains(index) ? report.layers[index][keyPath: figure.value] : nil
                }
                x = grid.put(" " + Format.padRight(trend(values, width: trendWidth, theme: theme), trendWidth + 1), x: x, y: y,
                             style: theme.style(.dim), limit: max(0, rect.maxX - x))
            }
        }
        let noteY = rect.y + 1 + figures.count
        if noteY < rect.maxY {
            grid.put("upd/w: lr × grad rms / w rms · dead: ReLUs zero for every sample of the last batches",
                     x: rect.x, y: noteY, style: theme.style(.dim), limit: rect.width)
        }
    }

    /// A figure in at most `valueWidth` columns: 0.0123, 12.34, 1.2e-4.
    static func number(_ value: Float) -> String {
        let v = Double(value)
        guard v.isFinite else { return v.isNaN ? "nan" : "inf" }
        if v == 0 { return "0" }
        if abs(v) >= 0.01 && abs(v) < 10_000 {
            let text = Format.c("%.3g", v)
            if text.count <= valueWidth { return text }
        }
        return Format.scientific(v, width: valueWidth)
    }

    /// The last `width` values as a sparkline (their own range, low to high); one column: an
    /// arrow from the first value to the last; none: nothing.
    static func trend(_ values: [Float], width: Int, theme: Theme) -> String {
        let finite = values.filter(\.isFinite)
        guard width > 0, let first = finite.first, let last = finite.last else { return "" }
        if width == 1 {
            let change = last - first
            let flat = abs(change) <= 0.02 * max(abs(first), abs(last))
            return flat ? "=" : String(change > 0 ? theme.glyphs.lrUp : theme.glyphs.lrDown)
        }
        let shown = finite.suffix(width)
        let low = shown.min() ?? 0, high = shown.max() ?? 0
        let levels = theme.options.unicode ? unicodeLevels : asciiLevels
        var text = String.UnicodeScalarView()
        for value in shown {
            let t = high > low ? (value - low) / (high - low) : 0.5
            text.append(levels[min(levels.count - 1, max(0, Int((t * Float(levels.count - 1)).rounded())))])
        }
        return String(text)
    }
}
