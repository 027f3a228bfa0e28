import Cells
import Engine
import MNISTData
import Foundation

// The misclassified-digit browser: one digit large, its label and prediction, the top-3 softmax
// probabilities and its cross-entropy.

/// What the misclassified-digit browser draws: its slice of the state.
struct BrowserModel {
    var browser: BrowserState?
    var browsedDigit: Misclassified?
    var info: RunInfo
    var latest: EpochMetrics?
    var testImages: LabeledImages
}

extension AppState {
    var browserPanel: BrowserModel {
        BrowserModel(browser: browser, browsedDigit: browsedDigit, info: info, latest: latest, testImages: testImages)
    }
}

enum BrowserPanel {
    static func title(_ state: BrowserModel) -> String {
        guard let browser = state.browser else { return "Misclassified" }
        var title = "Misclassified"
        if let filter = browser.filter { title += " · true \(filter.truth), predicted \(filter.predicted)" }
        if !browser.items.isEmpty { title += " · \(browser.position + 1) of \(browser.items.count)" }
        return title
    }

    static func draw(_ state: BrowserModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty, let browser = state.browser else { return }
        guard let digit = state.browsedDigit else {
            var text = "no misclassified digits"
            if let filter = browser.filter {
                text = filter.truth == filter.predicted
                    ? "cell (\(filter.truth), \(filter.predicted)) holds the correct predictions"
                    : "no test digit of class \(filter.truth) was predicted as \(filter.predicted)"
            }
            grid.put(text, x: rect.x + 1, y: rect.y, style: theme.style(.dim), limit: rect.width - 1)
            grid.put("Esc closes", x: rect.x + 1, y: rect.y + 1, style: theme.style(.key), limit: rect.width - 1)
            return
        }
        // The digit: as large as fits (28x14 cells is one cell per pixel pair).
        let art = DigitsPanel.sizes.first { $0.width + 2 <= rect.width / 2 && $0.height <= rect.height }
            ?? (width: 0, height: 0)
        if art.width > 0 {
            DigitArt.draw(state.testImages, index: digit.testIndex, x: rect.x + 1, y: rect.y,
                          width: art.width, height: art.height, grid: &grid, theme: theme,
                          style: theme.style(.pixel))
        }
        let x = rect.x + (art.width > 0 ? art.width + 3 : 1)
        let limit = max(0, rect.maxX - x)
        var y = rect.y
        func line(_ label: String, _ value: String, _ role: Role) {
            guard y < rect.maxY else { return }
            let after = grid.put(Format.padRight(label, 15), x: x, y: y, style: theme.style(.label), limit: limit)
            grid.put(value, x: after, y: y, style: theme.style(role), limit: max(0, rect.maxX - after))
            y += 1
        }
        let names = state.info.classNames
        func name(_ c: Int) -> String {
            names.indices.contains(c) && names[c] != String(c) ? "\(c) (\(names[c]))" : String(c)
        }
        line("label", name(digit.label), .correct)
        line("predicted", name(digit.predicted) + " " + String(theme.glyphs.wrongMark), .wrong)
        line("test image", "#\(digit.testIndex)", .normal)
        y += 1
        if y < rect.maxY {
            grid.put("top-3 softmax", x: x, y: y, style: theme.style(.label), limit: limit)
            y += 1
        }
        let probabilities = digit.probabilities
        let top = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(3)
        let barWidth = max(0, min(20, limit - 14))
        for c in top where y < rect.maxY {
            let p = Double(probabilities[c])
            let role: Role = c == digit.label ? .correct : (c == digit.predicted ? .wrong : .normal)
            let text = "  " + Format.padLeft(String(c), 2) + " " + Format.padLeft(Format.percent(p, decimals: 1), 6) + " "
            let after = grid.put(text, x: x, y: y, style: theme.style(role), limit: limit)
            let filled = Int((max(0, min(1, p)) * Double(barWidth)).rounded())
            grid.put(String(repeating: String(theme.glyphs.barFull), count: filled), x: after, y: y,
                     style: theme.style(role), limit: max(0, rect.maxX - after))
            y += 1
        }
        y += 1
        let pTrue = digit.probabilities.indices.contains(digit.label) ? Double(digit.probabilities[digit.label]) : 0
        let crossEntropy = -log(max(pTrue, 1e-45))
        line("p(label)", Format.percent(pTrue, decimals: 1), .value)
        line("cross-entropy", Format.c("%.3f", crossEntropy) + " = -log p(\(digit.label))", .value)
        y += 1
        if y < rect.maxY {
            let hint = theme.options.unicode ? "←/→ h/l move · Esc closes"
                                             : "Left/Right h/l move, Esc closes"
            grid.put(hint, x: x, y: y, style: theme.style(.dim), limit: limit)
        }
        drawUpcoming(state, browser: browser, in: Rect(x: rect.x, y: rect.y + max(art.height, y - rect.y) + 1,
                                                       width: rect.width, height: rect.maxY - (rect.y + max(art.height, y - rect.y) + 1)),
                     grid: &grid, theme: theme)
    }

    /// On tall screens, the next digits of the list as thumbnails, so the user sees what is ahead.
    static func drawUpcoming(_ state: BrowserModel, browser: BrowserState, in rect: Rect, grid: inout CellGrid,
                             theme: Theme) {
        let (w, h) = (14, 7)
        guard rect.height >= h + 2, browser.items.count > 1, let latest = state.latest else { return }
        let columns = (rect.width - 1) / (w + 1)
        let count = min(columns, browser.items.count - 1)
        guard count > 0 else { return }
        grid.put("next", x: rect.x + 1, y: rect.y, style: theme.style(.label), limit: rect.width - 1)
        for k in 0..<count {
            let item = browser.items[(browser.position + 1 + k) % browser.items.count]
            guard latest.misclassified.indices.contains(item) else { continue }
            let digit = latest.misclassified[item]
            let x = rect.x + 1 + k * (w + 1)
            DigitArt.draw(state.testImages, index: digit.testIndex, x: x, y: rect.y + 1, width: w, height: h,
                          grid: &grid, theme: theme, style: theme.style(.dim))
            let caption = "\(digit.label)" + String(theme.glyphs.arrow) + "\(digit.predicted) " + String(theme.glyphs.wrongMark)
            grid.put(caption, x: x + (w - caption.unicodeScalars.count) / 2, y: rect.y + 1 + h,
                     style: theme.style(.wrong), limit: w)
        }
    }
}
