import Cells
import Engine
import MNISTData

// The inside-the-network views share one panel (where the browser goes) and a few pieces: the
// softmax bars, the image drawn from bytes, and what to say when there are no weights to show.

/// What the inspection views draw: their slice of the state.
struct InspectionModel {
    var inspection: Inspection
    var info: RunInfo
    /// Following a metrics file: there are no weights to show.
    var watching: Bool
    /// The latest evaluation's epoch (the `u` view's caption).
    var epoch: Int?
}

extension AppState {
    var inspectionPanel: InspectionModel {
        InspectionModel(inspection: inspection, info: info, watching: watch != nil, epoch: latest?.epoch)
    }
}

enum InspectionPanel {
    static func title(_ model: InspectionModel) -> String {
        let i = model.inspection
        switch i.view {
        case .forwardPass:
            var title = "Forward pass"
            if let index = i.testIndex { title += " · test #\(index)" }
            if let label = i.label { title += " · label " + className(label, model.info) }
            return title
        case .draw: return "Draw"
        case .weights: return "First-layer weights"
        case nil: return ""
        }
    }

    /// Draws the open view over `area` (the browser's place).
    static func draw(_ model: InspectionModel, in area: Rect, grid: inout CellGrid, theme: Theme) {
        guard model.inspection.view != nil else { return }
        grid.fill(area)
        let inner = grid.box(area, title: title(model), theme: theme, focused: true, rightTitle: weightsNote(model))
        switch model.inspection.view {
        case .forwardPass: ForwardPassPanel.draw(model, in: inner, grid: &grid, theme: theme)
        case .draw: DrawPanel.draw(model, in: inner, grid: &grid, theme: theme)
        case .weights: WeightsPanel.draw(model, in: inner, grid: &grid, theme: theme)
        case nil: break
        }
    }

    /// Where the weights shown are from ("weights of step 1234").
    static func weightsNote(_ model: InspectionModel) -> String {
        guard let weights = model.inspection.weights else { return "" }
        return weights.step > 0 ? "weights of step \(weights.step)" : "weights loaded"
    }

    /// Why nothing can be computed, when that is so (no weights, or none yet).
    static func missingWeights(_ model: InspectionModel) -> String? {
        guard model.inspection.weights == nil else { return nil }
        if model.watching { return "weights are not available when watching a metrics file (only the run has them)" }
        if model.inspection.weightsUnavailable { return "this run has no weights to show" }
        return "waiting for the weights..."
    }

    /// `text` word-wrapped into `width` columns from (x, y), down to `maxY`; returns the next free row.
    @discardableResult
    static func putWrapped(_ text: String, x: Int, y: Int, width: Int, maxY: Int, grid: inout CellGrid,
                           style: Style) -> Int {
        guard width > 0 else { return y }
        var row = y, line = ""
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if candidate.unicodeScalars.count <= width || line.isEmpty {
                line = candidate
                continue
            }
            if row < maxY { grid.put(line, x: x, y: row, style: style, limit: width) }
            row += 1
            line = String(word)
        }
        if !line.isEmpty, row < maxY { grid.put(line, x: x, y: row, style: style, limit: width) }
        return row + 1
    }

    static func className(_ c: Int, _ info: RunInfo) -> String {
        let names = info.classNames
        return names.indices.contains(c) && names[c] != String(c) ? "\(c) (\(names[c]))" : String(c)
    }

    /// A 28x28 byte image at (x, y) in `width` x `height` cells (DigitArt's glyphs).
    static func drawImage(_ pixels: [UInt8], x: Int, y: Int, width: Int, height: Int, grid: inout CellGrid,
                          theme: Theme, style: Style) {
        let side = MNISTForm.side
        guard pixels.count == side * side else { return }
        let image = LabeledImages(count: 1, rows: side, cols: side, pixels: pixels, labels: [0])
        DigitArt.draw(image, index: 0, x: x, y: y, width: width, height: height, grid: &grid, theme: theme, style: style)
    }

    /// One row per class: "7  70.5% ███" with the bar `barWidth` long at p = 1; the predicted class
    /// and the label marked. Returns the rows drawn.
    @discardableResult
    static func drawProbabilities(_ pass: ForwardPass, label: Int?, x: Int, y: Int, maxY: Int, barWidth: Int,
                                  grid: inout CellGrid, theme: Theme) -> Int {
        let predicted = pass.predicted
        var row = 0
        for c in pass.probabilities.indices where y + row < maxY {
            let p = Double(pass.probabilities[c])
            let role: Role = c == label ? .correct : (c == predicted ? .wrong : .normal)
            let mark = c == predicted ? String(theme.glyphs.arrow) : " "
            var after = grid.put(mark + Format.padLeft(String(c), 2) + " " + Format.padLeft(Format.percent(p, decimals: 1), 6) + " ",
                                 x: x, y: y + row, style: theme.style(role))
            let filled = Int((max(0, min(1, p)) * Double(barWidth)).rounded())
            after = grid.put(String(repeating: String(theme.glyphs.barFull), count: filled), x: after, y: y + row,
                             style: theme.style(role), limit: barWidth)
            row += 1
        }
        return row
    }
}
