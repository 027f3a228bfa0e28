import Cells
import Engine

// `u`: what the first layer learned. Each hidden unit's 784 incoming weights drawn as a 28x28
// image, a page of units at a time: positive weights (the unit fires on ink there) and negative
// ones (ink there holds it back) differ in colour and, for monochrome and colour-blind eyes, in
// glyph: blocks for positive, dots for negative; strength by size. Scaled per unit to its largest |w|.

enum WeightsPanel {
    /// Glyphs by strength (weak, strong).
    static let unicodePositive: [Unicode.Scalar] = ["▒", "█"], unicodeNegative: [Unicode.Scalar] = ["·", "●"]
    static let asciiPositive: [Unicode.Scalar] = ["+", "#"], asciiNegative: [Unicode.Scalar] = ["-", "="]
    /// Below this fraction of the unit's largest |w| a cell stays blank; above `strong`, the strong glyph.
    static let faint = 0.2, strong = 0.55
    /// Cells per unit image: 28 pixels by 28 at two pixel columns and four rows a cell (about square on screen).
    static let imageWidth = 14, imageHeight = 7

    static func draw(_ model: InspectionModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let u = theme.options.unicode
        let (pos, neg) = u ? (unicodePositive, unicodeNegative) : (asciiPositive, asciiNegative)
        guard let weights = model.inspection.weights else {
            InspectionPanel.putWrapped(InspectionPanel.missingWeights(model) ?? "", x: rect.x + 1, y: rect.y,
                                       width: rect.width - 2, maxY: rect.maxY, grid: &grid, style: theme.style(.warning))
            return
        }
        let sizes = weights.layout.layerSizes
        guard sizes.count > 1, sizes[0] == 28 * 28 else {
            grid.put("the first layer's inputs are not 28x28 images", x: rect.x + 1, y: rect.y,
                     style: theme.style(.dim), limit: rect.width - 1)
            return
        }
        let units = sizes[1]
        let first = min(model.inspection.firstUnit, max(0, units - 1))
        let perPage = AppState.unitsPerPage
        let last = min(units, first + perPage)
        // Legend line: what the glyphs mean and which units these are.
        var x = grid.put(" " + String(pos[1]) + String(pos[0]), x: rect.x, y: rect.y, style: theme.style(.rawLoss))
        x = grid.put(" positive  ", x: x, y: rect.y, style: theme.style(.label))
        x = grid.put(String(neg[1]) + String(neg[0]), x: x, y: rect.y, style: theme.style(.wrong))
        x = grid.put(" negative  ", x: x, y: rect.y, style: theme.style(.label))
        let epoch = model.epoch.map { " · epoch \($0)" } ?? ""
        grid.put("units \(first)-\(last - 1) of \(units)\(epoch)", x: x, y: rect.y, style: theme.style(.dim),
                 limit: max(0, rect.maxX - x))

        let across = max(1, (rect.width - 1) / (imageWidth + 2))
        for (k, unit) in (first..<last).enumerated() {
            let column = k % across, row = k / across
            let ix = rect.x + 1 + column * (imageWidth + 2)
            let iy = rect.y + 1 + row * (imageHeight + 1)
            guard iy + imageHeight + 1 <= rect.maxY, ix + imageWidth <= rect.maxX else { continue }
            grid.put("unit \(unit)", x: ix, y: iy, style: theme.style(.label), limit: imageWidth)
            drawUnit(weights.incomingWeights(layer: 0, unit: unit), x: ix, y: iy + 1, grid: &grid, theme: theme,
                     positive: pos, negative: neg)
        }
    }

    /// One unit's 28x28 weights in `imageWidth` x `imageHeight` cells, each cell the mean of its pixels.
    static func drawUnit(_ w: [Float], x: Int, y: Int, grid: inout CellGrid, theme: Theme,
                         positive: [Unicode.Scalar], negative: [Unicode.Scalar]) {
        guard w.count == 784 else { return }
        let (cw, ch) = (28 / imageWidth, 28 / imageHeight)
        var means = [Double](repeating: 0, count: imageWidth * imageHeight)
        for cy in 0..<imageHeight {
            for cx in 0..<imageWidth {
                var sum = 0.0
                for py in (cy * ch)..<((cy + 1) * ch) {
                    for px in (cx * cw)..<((cx + 1) * cw) { sum += Double(w[py * 28 + px]) }
                }
                means[cy * imageWidth + cx] = sum / Double(cw * ch)
            }
        }
        let peak = means.map(abs).max() ?? 0
        for (i, m) in means.enumerated() {
            let strength = peak > 0 ? abs(m) / peak : 0
            let cell = (x + i % imageWidth, y + i / imageWidth)
            guard strength >= faint else {
                grid[cell.0, cell.1] = theme.style(.dim).cell(" ")
                continue
            }
            let glyphs = m > 0 ? positive : negative
            grid[cell.0, cell.1] = theme.style(m > 0 ? .rawLoss : .wrong).cell(glyphs[strength >= strong ? 1 : 0])
        }
    }
}
