import Cells
import Engine
import MNISTData

// The digits panel: the first test images with their label and the model's latest prediction.

/// What the digits panel draws: its slice of the state.
struct DigitsModel {
    /// The latest evaluation (its predictions), if any.
    var latest: EpochMetrics?
    var testImages: LabeledImages
}

extension AppState {
    var digitsPanel: DigitsModel { DigitsModel(latest: latest, testImages: testImages) }
}

enum DigitsPanel {
    /// Digit sizes tried, largest first: (columns, rows). Half-blocks make cells square pairs.
    static let sizes: [(width: Int, height: Int)] = [(28, 14), (14, 7), (10, 5), (7, 4)]

    /// How digits fit in `rect`: size and grid. Prefers the largest size that shows 8 digits, then
    /// the largest that shows 3, then whatever fits: big screens get more digits, small ones
    /// digits still large enough to read.
    static func layout(for rect: Rect) -> (width: Int, height: Int, columns: Int, rows: Int)? {
        let fits = sizes.compactMap { size -> (width: Int, height: Int, columns: Int, rows: Int)? in
            let columns = (rect.width + 1) / (size.width + 1)
            let rows = rect.height / (size.height + 1)
            return columns > 0 && rows > 0 ? (size.width, size.height, columns, rows) : nil
        }
        return fits.first { $0.columns * $0.rows >= 8 } ?? fits.first { $0.columns * $0.rows >= 3 } ?? fits.first
    }

    static func title(_ state: DigitsModel) -> String {
        if let latest = state.latest { return "Digits · label→prediction, epoch \(latest.epoch)" }
        return "Digits"
    }

    static func draw(_ state: DigitsModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let images = state.testImages
        guard images.count > 0 else {
            grid.put("no test images", x: rect.x, y: rect.y, style: theme.style(.dim), limit: rect.width)
            return
        }
        guard let fit = layout(for: rect) else {
            grid.put("(too small)", x: rect.x, y: rect.y, style: theme.style(.dim), limit: rect.width)
            return
        }
        let count = min(images.count, fit.columns * fit.rows)
        // Centre the block of digits horizontally.
        let used = fit.columns * (fit.width + 1) - 1
        let left = rect.x + max(0, (rect.width - used) / 2)
        let top = rect.y + max(0, (rect.height - fit.rows * (fit.height + 1)) / 2)
        let g = theme.glyphs
        for index in 0..<count {
            let gx = left + (index % fit.columns) * (fit.width + 1)
            let gy = top + (index / fit.columns) * (fit.height + 1)
            let label = Int(images.labels[index])
            let prediction = state.latest.flatMap { latest in
                latest.predictions.indices.contains(index) ? Int(latest.predictions[index]) : nil
            }
            let verdict: Role = prediction.map { $0 == label ? .correct : .wrong } ?? .pending
            DigitArt.draw(images, index: index, x: gx, y: gy, width: fit.width, height: fit.height,
                          grid: &grid, theme: theme, style: theme.style(.pixel))
            var caption = "\(label)" + String(g.arrow) + (prediction.map(String.init) ?? "?")
            if let prediction { caption += " " + String(prediction == label ? g.correctMark : g.wrongMark) }
            let cx = gx + max(0, (fit.width - caption.unicodeScalars.count) / 2)
            grid.put(caption, x: cx, y: gy + fit.height, style: theme.style(verdict), limit: fit.width)
        }
    }
}
