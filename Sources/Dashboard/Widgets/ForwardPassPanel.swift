import Cells
import Engine
import Foundation

// `f`: one digit all the way through the model, with the current weights. Left: the input and
// each hidden layer's activations (a strip, brighter for larger outputs, with the count of ReLUs
// that fired). Right: the logits z, softmax p = exp(z) / Σ exp(z), p(label) and the cross-entropy
// -log p(label), laid out as the tutorial's worked example (logits [2.0, 1.0, -1.0], label 0 ->
// softmax 0.705, 0.259, 0.035 -> loss 0.349) so a real digit can be followed the same way.

enum ForwardPassPanel {
    /// Activation strengths, none to full.
    static let unicodeRamp: [Unicode.Scalar] = [" ", "░", "▒", "▓", "█"]
    static let asciiRamp: [Unicode.Scalar] = [" ", ".", ":", "+", "#"]

    static func draw(_ model: InspectionModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let i = model.inspection
        guard let image = i.image else {
            grid.put("no such test digit", x: rect.x + 1, y: rect.y, style: theme.style(.dim), limit: rect.width - 1)
            return
        }
        // Left column: the input, then the hidden layers.
        let left = rect.x + 1, columnWidth = 28
        var y = rect.y
        grid.put("input x = pixel/255", x: left, y: y, style: theme.style(.label), limit: columnWidth)
        y += 1
        let artHeight = min(14, max(0, rect.maxY - y - 2 * max(1, i.pass?.hidden.count ?? 0)))
        InspectionPanel.drawImage(image, x: left, y: y, width: columnWidth, height: artHeight, grid: &grid,
                                  theme: theme, style: theme.style(.pixel))
        y += artHeight
        let right = left + columnWidth + 2
        guard let pass = i.pass else {
            InspectionPanel.putWrapped(InspectionPanel.missingWeights(model) ?? "", x: right, y: rect.y,
                                       width: max(0, rect.maxX - right), maxY: rect.maxY, grid: &grid,
                                       style: theme.style(.warning))
            return
        }
        drawHidden(pass, sizes: model.info.layerSizes, x: left, y: y, width: columnWidth, maxY: rect.maxY,
                   grid: &grid, theme: theme)
        drawOutput(pass, label: i.label, model: model, x: right, in: rect, grid: &grid, theme: theme)
    }

    /// Each hidden layer: "h1 = ReLU(x·W1+b1) 203/512 on", then a strip of its outputs, as many
    /// rows as there is room for (each cell the mean of a group of units, scaled to the layer's max).
    static func drawHidden(_ pass: ForwardPass, sizes: [Int], x: Int, y top: Int, width: Int, maxY: Int,
                           grid: inout CellGrid, theme: Theme) {
        let layers = pass.hidden.count
        guard layers > 0 else { return }
        let rowsEach = max(1, (maxY - top) / layers - 1)
        var y = top
        for (l, values) in pass.hidden.enumerated() where y < maxY {
            let active = values.filter { $0 > 0 }.count
            let input = l == 0 ? "x" : "h\(l)"
            grid.put("h\(l + 1)=ReLU(\(input)W+b) \(active)/\(values.count) on", x: x, y: y,
                     style: theme.style(.label), limit: width)
            y += 1
            let rows = min(rowsEach, max(1, (values.count + width - 1) / width), maxY - y)
            guard rows > 0 else { break }
            let cells = rows * width
            let group = max(1, (values.count + cells - 1) / cells)
            let peak = values.max() ?? 0
            let ramp = theme.options.unicode ? unicodeRamp : asciiRamp
            for cell in 0..<cells {
                let start = cell * group
                guard start < values.count else { break }
                let slice = values[start..<min(values.count, start + group)]
                let mean = slice.reduce(0, +) / Float(slice.count)
                var level = peak > 0 ? Int((Double(mean / peak) * Double(ramp.count - 1)).rounded(.up)) : 0
                level = min(ramp.count - 1, max(0, level))
                grid[x + cell % width, y + cell / width] = theme.style(level > 0 ? .pixel : .dim)
                    .cell(level > 0 ? ramp[level] : (theme.options.unicode ? "·" : "."))
            }
            y += rows
        }
    }

    /// The logits, softmax and loss, top to bottom as they are computed.
    static func drawOutput(_ pass: ForwardPass, label: Int?, model: InspectionModel, x: Int, in rect: Rect,
                           grid: inout CellGrid, theme: Theme) {
        let limit = max(0, rect.maxX - x)
        var y = rect.y
        func line(_ text: String, _ role: Role) {
            guard y < rect.maxY else { return }
            grid.put(text, x: x, y: y, style: theme.style(role), limit: limit)
            y += 1
        }
        let u = theme.options.unicode
        let sum = pass.logits.reduce(0.0) { $0 + exp(Double($1)) }
        line(u ? "logits z, softmax p = e^z / Σ e^z" : "logits z, softmax p = e^z / sum(e^z)", .label)
        line(" class  logit z   p = softmax", .label)
        let barWidth = max(0, min(20, limit - 24))
        let predicted = pass.predicted
        for c in pass.logits.indices where y < rect.maxY {
            let p = Double(pass.probabilities[c])
            let role: Role = c == label ? .correct : (c == predicted ? .wrong : .normal)
            let mark = c == predicted ? String(theme.glyphs.arrow) : " "
            let text = mark + Format.padLeft(String(c), 5) + "  " + Format.padLeft(Format.c("%.3f", Double(pass.logits[c])), 7)
                + "  " + Format.padLeft(Format.percent(p, decimals: 1), 6) + " "
            let after = grid.put(text, x: x, y: y, style: theme.style(role), limit: limit)
            let filled = Int((max(0, min(1, p)) * Double(barWidth)).rounded())
            grid.put(String(repeating: String(theme.glyphs.barFull), count: filled), x: after, y: y,
                     style: theme.style(role), limit: max(0, rect.maxX - after))
            y += 1
        }
        let predictedText = "predicted " + InspectionPanel.className(predicted, model.info)
        guard let label, pass.logits.indices.contains(label) else {
            line(predictedText, .value)
            return
        }
        let zLabel = Double(pass.logits[label])
        let pLabel = Double(pass.probability(of: label))
        let right = predicted == label
        line(predictedText + " " + String(right ? theme.glyphs.correctMark : theme.glyphs.wrongMark)
             + " · label " + InspectionPanel.className(label, model.info), right ? .correct : .wrong)
        line("p(\(label)) = e^" + Format.c("%.3f", zLabel) + " / " + Format.c("%.4g", sum)
             + " = " + Format.c("%.3f", pLabel), .value)
        line("loss = -log p(\(label)) = " + Format.c("%.3f", Double(pass.loss(label: label))), .value)
        line("(the cross-entropy of label \(label))", .dim)
    }
}
