import Foundation

/// The report's pictures as inline SVG: line charts and the confusion heat map. No script, no
/// external reference; numbers with '.' whatever the locale (`NumberFormatting`).
enum ReportCharts {
    /// One series of a chart.
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
        /// Dots (per-epoch figures) rather than a line (per-batch ones).
        var dots = false
        var width = 1.5
    }

    static let width = 880.0
    static let height = 300.0
    private static let margin = (left: 56.0, right: 16.0, top: 28.0, bottom: 40.0)

    private static func n(_ value: Double) -> String { NumberFormatting.fixed(value, decimals: 1) }

    /// A chart of `series` over a shared x range, with axis ticks, labels and a legend.
    static func lineChart(_ series: [Series], xLabel: String, yLabel: String, yRange: ClosedRange<Double>? = nil,
                          yFormat: (Double) -> String) -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max() else {
            return "<p class=\"empty\">no data yet</p>"
        }
        let ys = all.map(\.y)
        var range = yRange ?? (min(0, ys.min() ?? 0)...max(ys.max() ?? 1, 1e-6))
        if range.upperBound <= range.lowerBound { range = range.lowerBound...(range.lowerBound + 1) }
        let plotW = width - margin.left - margin.right, plotH = height - margin.top - margin.bottom
        let spanX = max(maxX - minX, 1)
        func px(_ x: Double) -> Double { margin.left + (x - minX) / spanX * plotW }
        func py(_ y: Double) -> Double { margin.top + (1 - (y - range.lowerBound) / (range.upperBound - range.lowerBound)) * plotH }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">"
        // Grid and y ticks.
        for k in 0...4 {
            let y = range.lowerBound + Double(k) / 4 * (range.upperBound - range.lowerBound)
            svg += "<line class=\"grid\" x1=\"\(n(margin.left))\" x2=\"\(n(width - margin.right))\" y1=\"\(n(py(y)))\" y2=\"\(n(py(y)))\"/>"
            svg += "<text class=\"tick\" x=\"\(n(margin.left - 6))\" y=\"\(n(py(y) + 4))\" text-anchor=\"end\">\(ReportPage.escape(yFormat(y)))</text>"
        }
        // X ticks: about six, on whole numbers.
        // A round step (1, 2 or 5 times a power of ten) giving at most about eight ticks.
        var step = 1.0, power = 1.0
        search: while true {
            for multiple in [1.0, 2.0, 5.0] where spanX / (multiple * power) <= 8 {
                step = multiple * power
                break search
            }
            power *= 10
        }
        var x = (minX / step).rounded(.up) * step
        while x <= maxX + 1e-9 {
            svg += "<text class=\"tick\" x=\"\(n(px(x)))\" y=\"\(n(height - margin.bottom + 16))\" text-anchor=\"middle\">\(Int(x))</text>"
            x += step
        }
        svg += "<line class=\"axis\" x1=\"\(n(margin.left))\" x2=\"\(n(margin.left))\" y1=\"\(n(margin.top))\" y2=\"\(n(height - margin.bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(n(margin.left))\" x2=\"\(n(width - margin.right))\" y1=\"\(n(height - margin.bottom))\" y2=\"\(n(height - margin.bottom))\"/>"
        svg += "<text class=\"label\" x=\"\(n(margin.left + plotW / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">\(ReportPage.escape(xLabel))</text>"
        svg += "<text class=\"label\" x=\"14\" y=\"\(n(margin.top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(n(margin.top + plotH / 2)))\">\(ReportPage.escape(yLabel))</text>"
        for s in series {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            if s.dots {
                for p in points {
                    svg += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(min(max(p.y, range.lowerBound), range.upperBound))))\" r=\"4\" fill=\"\(s.color)\"/>"
                }
            } else if !points.isEmpty {
                let path = points.map { "\(n(px($0.x))),\(n(py(min(max($0.y, range.lowerBound), range.upperBound))))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(s.width)\" points=\"\(path)\"/>"
            }
        }
        // Legend, top right.
        var lx = width - margin.right - Double(series.count) * 150
        for s in series {
            svg += s.dots ? "<circle cx=\"\(n(lx + 8))\" cy=\"14\" r=\"4\" fill=\"\(s.color)\"/>"
                          : "<line x1=\"\(n(lx))\" x2=\"\(n(lx + 16))\" y1=\"14\" y2=\"14\" stroke=\"\(s.color)\" stroke-width=\"3\"/>"
            svg += "<text class=\"legend\" x=\"\(n(lx + 22))\" y=\"18\">\(ReportPage.escape(s.name))</text>"
            lx += 150
        }
        return svg + "</svg>"
    }

    /// The confusion matrix as a heat map: rows = true class, columns = predicted; a cell's colour
    /// is its share of the row (green on the diagonal, red off it), its count written inside.
    static func heatMap(_ counts: [[Int]], classNames: [String]) -> String {
        let k = counts.count
        guard k > 0 else { return "<p class=\"empty\">no confusion matrix in the file</p>" }
        let cell = 44.0, left = 70.0, top = 50.0
        let size = left + cell * Double(k) + 10
        var svg = "<svg class=\"heat\" viewBox=\"0 0 \(n(size)) \(n(top + cell * Double(k) + 10))\" role=\"img\">"
        svg += "<text class=\"label\" x=\"\(n(left + cell * Double(k) / 2))\" y=\"14\" text-anchor=\"middle\">predicted</text>"
        svg += "<text class=\"label\" x=\"12\" y=\"\(n(top + cell * Double(k) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(n(top + cell * Double(k) / 2)))\">true label</text>"
        for c in 0..<k {
            let name = ReportPage.escape(classNames.indices.contains(c) ? String(classNames[c].prefix(5)) : String(c))
            svg += "<text class=\"tick\" x=\"\(n(left + cell * (Double(c) + 0.5)))\" y=\"\(n(top - 8))\" text-anchor=\"middle\">\(name)</text>"
            svg += "<text class=\"tick\" x=\"\(n(left - 8))\" y=\"\(n(top + cell * (Double(c) + 0.5) + 4))\" text-anchor=\"end\">\(name)</text>"
        }
        for (truth, row) in counts.enumerated() {
            let total = max(1, row.reduce(0, +))
            for (predicted, count) in row.enumerated() {
                let share = Double(count) / Double(total)
                let strength = truth == predicted ? share : min(1, share * 5)  // errors are rarer: make them visible
                let color = truth == predicted ? "rgba(34,139,34,\(NumberFormatting.fixed(0.08 + 0.92 * strength, decimals: 3)))"
                                               : "rgba(200,40,40,\(NumberFormatting.fixed(count == 0 ? 0.03 : 0.1 + 0.9 * strength, decimals: 3)))"
                let x = left + cell * Double(predicted), y = top + cell * Double(truth)
                svg += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cell - 2))\" height=\"\(n(cell - 2))\" fill=\"\(color)\"><title>true \(truth), predicted \(predicted): \(count)</title></rect>"
                let ink = strength > 0.55 ? "#fff" : "#222"
                svg += "<text class=\"count\" x=\"\(n(x + cell / 2 - 1))\" y=\"\(n(y + cell / 2 + 4))\" text-anchor=\"middle\" fill=\"\(ink)\">\(count)</text>"
            }
        }
        return svg + "</svg>"
    }
}
