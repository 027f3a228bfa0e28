// The confusion matrix: rows true class, columns predicted, each cell shaded by its share of the
// row, the diagonal in its own style, per-class recall on the right, and a selectable cell.
//
// Two variants. Wide (4-column cells, when the panel has room): exact counts and a recall column.
// Narrow (3-column cells, the 80-column layout): every value is at most two characters followed by
// a space, so neighbours never run together: the diagonal shows the class's recall as a whole
// percent (rounded down, "**" for 100%), off-diagonal counts up to 99 as numbers and 100 or more
// as "++". The legend sits in the panel's bottom border, and the footer gives the selected cell's
// exact count, so nothing is lost.
import Cells
import Engine

/// What the confusion panel draws: its slice of the state.
struct ConfusionModel {
    /// The latest evaluation (its matrix and epoch), if any.
    var latest: EpochMetrics?
    var options: DisplayOptions
    var focus: Focus
    var selection: MatrixCell
}

extension AppState {
    var confusionPanel: ConfusionModel {
        ConfusionModel(latest: latest, options: options, focus: focus, selection: selection)
    }
}

enum ConfusionPanel {
    /// Rows the panel needs: border, header, one per class, footer.
    static func height(classes: Int) -> Int { classes + 4 }

    /// Columns the panel needs with counts `cellWidth` wide.
    static func width(classes: Int, cellWidth: Int) -> Int { 2 + 2 + classes * cellWidth + recallWidth(cellWidth) }

    static func recallWidth(_ cellWidth: Int) -> Int { cellWidth >= 4 ? 7 : 5 }

    /// Whether the panel's inner area `width` columns wide gets the narrow variant.
    static func isNarrow(width: Int, classes: Int) -> Bool { width < self.width(classes: classes, cellWidth: 4) }

    /// Where the cell of `row` (true class; -1 the header) and `column` (predicted) starts in
    /// the panel's inner `rect`, with cells `cellWidth` columns wide.
    static func cellOrigin(row: Int, column: Int, in rect: Rect, cellWidth: Int) -> (x: Int, y: Int) {
        (rect.x + 3 + column * cellWidth, rect.y + 1 + row)
    }

    /// The matrix cell drawn at screen cell (x, y) of the panel's inner `rect`, if any (a click).
    static func cell(atX x: Int, y: Int, in rect: Rect, classes: Int) -> MatrixCell? {
        guard classes > 0, rect.contains(x: x, y: y) else { return nil }
        let cellWidth = isNarrow(width: rect.width, classes: classes) ? 3 : 4
        let origin = cellOrigin(row: 0, column: 0, in: rect, cellWidth: cellWidth)
        guard x >= origin.x, y >= origin.y else { return nil }
        let cell = MatrixCell(truth: y - origin.y, predicted: (x - origin.x) / cellWidth)
        return cell.truth < classes && cell.predicted < classes ? cell : nil
    }

    // MARK: Narrow cells

    /// Off-diagonal counts from this on show as `manyMarker` in the narrow variant.
    static let manyThreshold = 100
    static let manyMarker = "++"
    /// A diagonal cell of a class recalled perfectly, in the narrow variant.
    static let perfectMarker = "**"

    /// The two-character text of a narrow cell (before its trailing space): recall percent on the
    /// diagonal, the count (or `manyMarker`) elsewhere, nil for an empty off-diagonal cell.
    static func narrowText(count: Int, rowTotal: Int, diagonal: Bool) -> String? {
        if diagonal {
            guard rowTotal > 0 else { return "--" }
            // Rounded down so 99.7% never reads as a perfect 100.
            let percent = count * 100 / rowTotal
            return percent >= 100 ? perfectMarker : Format.padLeft(String(percent), 2)
        }
        if count == 0 { return nil }
        return count >= manyThreshold ? manyMarker : Format.padLeft(String(count), 2)
    }

    /// The legend for the panel's bottom border: empty in the wide variant (or before an evaluation).
    static func legend(_ state: ConfusionModel, innerWidth: Int) -> String {
        guard let matrix = state.latest?.confusion, matrix.classes > 0,
              isNarrow(width: innerWidth, classes: matrix.classes) else { return "" }
        let perfect = (0..<matrix.classes).contains { matrix.rowTotal($0) > 0 && matrix[$0, $0] == matrix.rowTotal($0) }
        let atLeast = state.options.unicode ? "≥" : ">="
        return "diagonal recall %" + (perfect ? " (\(perfectMarker) 100)" : "") + " · \(manyMarker) \(atLeast)\(manyThreshold)"
    }

    static func title(_ state: ConfusionModel) -> String {
        state.latest.map { "Confusion · epoch \($0.epoch)" } ?? "Confusion"
    }

    /// Shade level 0...4 of a share of a row.
    static func level(_ share: Double) -> Int {
        switch share {
        case ..<0.005: return 0
        case ..<0.02: return 1
        case ..<0.1: return 2
        case ..<0.5: return 3
        default: return 4
        }
    }

    static func draw(_ state: ConfusionModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        guard let matrix = state.latest?.confusion, matrix.classes > 0 else {
            grid.put("waiting for the first evaluation…", x: rect.x, y: rect.y, style: theme.style(.dim),
                     limit: rect.width)
            return
        }
        let n = matrix.classes
        let narrow = isNarrow(width: rect.width, classes: n)
        let cellWidth = narrow ? 3 : 4
        let recallWidth = recallWidth(cellWidth)
        let focused = state.focus == .confusion
        // Header: predicted classes.
        grid.put("t\\p", x: rect.x, y: rect.y, style: theme.style(.label), limit: rect.width)
        for column in 0..<n {
            let (x, _) = cellOrigin(row: -1, column: column, in: rect, cellWidth: cellWidth)
            grid.put(Format.padLeft(String(column % 100), cellWidth - 1) + " ", x: x, y: rect.y,
                     style: theme.style(.label), limit: max(0, rect.maxX - x))
        }
        let recallX = cellOrigin(row: -1, column: n, in: rect, cellWidth: cellWidth).x
        if !narrow {
            grid.put(Format.padLeft("recall", recallWidth), x: recallX, y: rect.y, style: theme.style(.label),
                     limit: max(0, rect.maxX - recallX))
        }
        for row in 0..<n {
            let y = cellOrigin(row: row, column: 0, in: rect, cellWidth: cellWidth).y
            guard y < rect.maxY else { break }
            grid.put(Format.padLeft(String(row % 100), 2), x: rect.x, y: y, style: theme.style(.label))
            let total = max(1, matrix.rowTotal(row))
            for column in 0..<n {
                let count = matrix[row, column]
                let x = cellOrigin(row: row, column: column, in: rect, cellWidth: cellWidth).x
                let selected = focused && state.selection == MatrixCell(truth: row, predicted: column)
                let role: Role
                if selected {
                    role = .selected
                } else if count == 0 {
                    role = row == column ? .diagonal(0) : .zero
                } else {
                    let shade = level(Double(count) / Double(total))
                    role = row == column ? .diagonal(shade) : .offDiagonal(shade)
                }
                // Counts sit in the cell's first columns with a space after, so a diagonal count
                // that needs the whole cell (1135) still has a space before it.
                let text: String
                if narrow {
                    let value = narrowText(count: count, rowTotal: matrix.rowTotal(row), diagonal: row == column)
                    let empty = selected ? " 0" : Format.padLeft(String(theme.glyphs.middleDot), 2)
                    text = (value ?? empty) + " "
                } else if count == 0 && !selected {
                    text = Format.padLeft(String(theme.glyphs.middleDot), cellWidth - 1) + " "
                } else if String(count).count <= cellWidth - 1 {
                    text = Format.padLeft(String(count), cellWidth - 1) + " "
                } else if row == column && String(count).count == cellWidth {
                    text = String(count)
                } else {
                    text = Format.padLeft(Format.count(count, width: cellWidth - 1), cellWidth - 1) + " "
                }
                grid.put(text, x: x, y: y, style: theme.style(role),
                         limit: max(0, min(cellWidth, rect.maxX - x)))
            }
            guard !narrow else { continue }
            let recall = matrix.recall(row).map { Format.percent($0, decimals: cellWidth >= 4 ? 1 : 0) } ?? "--"
            let recallRole: Role = (matrix.recall(row) ?? 1) < 0.95 ? .wrong : .normal
            grid.put(Format.padLeft(recall, recallWidth), x: recallX, y: y, style: theme.style(recallRole),
                     limit: max(0, rect.maxX - recallX))
        }
        // Footer: the selected cell, or how to select one.
        let footerY = rect.y + 1 + n
        guard footerY < rect.maxY else { return }
        let footer: String
        if focused {
            let cell = state.selection
            let count = cell.truth < n && cell.predicted < n ? matrix[cell.truth, cell.predicted] : 0
            footer = narrow ? "true \(cell.truth) pred \(cell.predicted): \(count) · Enter browse"
                            : "true \(cell.truth) pred \(cell.predicted): \(count)  Enter browse · Esc"
        } else {
            let correct = (0..<n).reduce(0) { $0 + matrix[$1, $1] }
            let all = max(1, matrix.counts.reduce(0, +))
            footer = "\(correct)/\(all) right · Tab selects a cell"
        }
        grid.put(footer, x: rect.x, y: footerY, style: theme.style(focused ? .key : .dim), limit: rect.width)
    }
}
