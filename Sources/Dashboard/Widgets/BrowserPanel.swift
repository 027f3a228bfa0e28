import Foundation

// The misclassified-digit browser: one digit large, its label and prediction, the top-3 softmax
// probabilities and its cross-entropy.

enum BrowserPanel {
    static func title(_ state: AppState) -> String {
        guard let browser = state.browser else { return "Misclassified" }
        var title = "Misclassified"
        if let filter = browser.filter { title += " · true \(filter.truth), predicted \(filter.predicted)" }
        if !browser.items.isEmpty { title += " · \(browser.position + 1) of \(browser.items.count)" }
        return title
    }

    static func draw(_ state: AppState, in rect: Rect, grid: inout CellGrid, theme: Theme) {
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
        line("cross-entropy", String(format: "%.3f", crossEntropy) + " = -log p(\(digit.label))", .value)
        y += 1
        if y < rect.maxY {
            let hint = theme.options.unicode ? "←/→ or h/l: next digit · Esc closes"
                                             : "Left/Right or h/l: next digit, Esc closes"
            grid.put(hint, x: x, y: y, style: theme.style(.dim), limit: limit)
        }
    }
}
