import Cells
import Engine

// `d`: the canvas (28 cells by 14, two pixel rows a cell), the drawing as the model sees it (in
// MNIST's form: scaled into 20x20, centred on its centre of mass) and the prediction's softmax
// bars, which follow every stroke.

enum DrawPanel {
    /// Where the canvas sits in the panel (the mouse is mapped through this).
    static func canvasRect(inPanel area: Rect) -> Rect {
        Rect(x: area.x + 2, y: area.y + 2, width: Canvas.cellColumns, height: Canvas.cellRows)
    }

    static func draw(_ model: InspectionModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let u = theme.options.unicode
        let i = model.inspection
        let canvas = Rect(x: rect.x + 1, y: rect.y + 1, width: Canvas.cellColumns, height: Canvas.cellRows)
        grid.put("draw here (mouse or keys)", x: canvas.x, y: rect.y, style: theme.style(.label), limit: canvas.width)
        // The empty canvas is dotted so its edges show; the ink over it, the cursor on top.
        for row in 0..<canvas.height where canvas.y + row < rect.maxY {
            for column in 0..<canvas.width {
                grid[canvas.x + column, canvas.y + row] = theme.style(.dim).cell(u ? "·" : ".")
            }
        }
        InspectionPanel.drawImage(i.canvas.pixels, x: canvas.x, y: canvas.y, width: canvas.width,
                                  height: min(canvas.height, rect.maxY - canvas.y), grid: &grid, theme: theme,
                                  style: theme.style(.pixel))
        let cursor = i.canvas.cursor
        var cell = grid[canvas.x + cursor.column, canvas.y + cursor.row]
        if cell.character == "·" || cell.character == "." || cell.character == " " { cell.character = "+" }
        cell.attributes.insert(.reverse)
        grid[canvas.x + cursor.column, canvas.y + cursor.row] = cell
        var y = canvas.maxY
        let pen: String = switch i.canvas.pen {
        case .up: "pen up (space/x: paint/erase)"
        case .paint: "painting (space: pen up)"
        case .erase: "erasing (x: eraser off)"
        }
        for text in [pen, "mouse: left button paints,", "right button erases", "c clears"] where y < rect.maxY {
            grid.put(text, x: canvas.x, y: y, style: theme.style(.dim), limit: min(canvas.width + 1, rect.maxX - canvas.x))
            y += 1
        }

        // Right: the prediction, then what the model sees.
        let x = canvas.maxX + 3
        let limit = max(0, rect.maxX - x)
        guard limit > 10 else { return }
        guard let image = i.image else {
            grid.put("draw a digit: the prediction follows", x: x, y: rect.y, style: theme.style(.dim), limit: limit)
            if let missing = InspectionPanel.missingWeights(model) {
                InspectionPanel.putWrapped(missing, x: x, y: rect.y + 2, width: limit, maxY: rect.maxY, grid: &grid,
                                           style: theme.style(.warning))
            }
            return
        }
        // Tall panels put what the model sees under the bars (as large as fits), short ones beside them.
        let below = rect.height >= 21
        let large = below && rect.height >= 28 && limit >= 28
        let preview = large ? (width: 28, height: 14) : (width: 14, height: 7)
        let barWidth = below ? max(0, min(20, limit - 11)) : max(0, min(16, limit - 11 - preview.width - 2))
        if let pass = i.pass {
            let p = Double(pass.probability(of: pass.predicted))
            grid.put("prediction " + InspectionPanel.className(pass.predicted, model.info) + " ("
                     + Format.percent(p, decimals: 1) + ")", x: x, y: rect.y, style: theme.style(.bold), limit: limit)
            InspectionPanel.drawProbabilities(pass, label: nil, x: x, y: rect.y + 1, maxY: rect.maxY, barWidth: barWidth,
                                              grid: &grid, theme: theme)
        } else {
            InspectionPanel.putWrapped(InspectionPanel.missingWeights(model) ?? "", x: x, y: rect.y,
                                       width: below ? limit : 11 + barWidth, maxY: rect.maxY, grid: &grid,
                                       style: theme.style(.warning))
        }
        let (px, top) = below ? (x, rect.y + 12) : (x + 11 + barWidth + 2, rect.y + 1)
        guard px + preview.width <= rect.maxX, top + 2 + preview.height <= rect.maxY else { return }
        grid.put(below ? "the model sees (MNIST's form)" : "model sees", x: px, y: top, style: theme.style(.label),
                 limit: below ? limit : preview.width)
        for row in 0..<preview.height {
            for column in 0..<preview.width {
                grid[px + column, top + 1 + row] = theme.style(.dim).cell(u ? "·" : ".")
            }
        }
        InspectionPanel.drawImage(image, x: px, y: top + 1, width: preview.width, height: preview.height,
                                  grid: &grid, theme: theme, style: theme.style(.pixel))
        grid.put(below ? "ink scaled into 20x20, centred on its mass" : "20x20, centred", x: px, y: top + 1 + preview.height,
                 style: theme.style(.dim), limit: below ? limit : preview.width)
    }
}
