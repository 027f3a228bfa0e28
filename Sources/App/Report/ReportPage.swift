import Dashboard
import Engine
import Foundation
import MNISTData

/// The HTML of `mnist-tui report`: one self-contained page (inline CSS and SVG, digits as PNG data
/// URIs; no script, no network), well-formed as XML too so tools and tests can read it.
enum ReportPage {
    /// At most this many misclassified digits in the grid.
    static let maxDigits = 100
    /// At most this many points on the per-batch loss line (every batch of a long run would make
    /// the file large and the browser slow, and the screen has fewer pixels than that anyway).
    static let maxLossPoints = 2_000

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// The page for `log` (`images`: the run's test images, or nil with `imageNote` saying why).
    static func html(_ log: RunLog, source: String, images: LabeledImages?, imageNote: String?) -> String {
        let run = log.runs[log.runs.count - 1]
        let info = run.info
        let pct = { (x: Double) in NumberFormatting.fixed(x * 100, decimals: 2) + "%" }
        var body = ""
        let last = log.lastEpoch
        body += "<header><h1>mnist-tui run report</h1><p class=\"sub\">\(escape(source)) · \(escape(info.datasetName)) · "
            + "\(info.layerSizes.map(String.init).joined(separator: "-")) · \(log.epochs.count) of \(info.config.epochs) epochs"
            + (last.map { " · final test accuracy <b>\(pct($0.summary.testAccuracy))</b>" } ?? "")
            + (log.endReason.map { " · ended: \(escape($0))" } ?? " · no end line (still running, or killed)") + "</p></header>"

        // Loss: per batch (thinned to at most maxLossPoints), its EMA (the dashboard's), test loss per epoch.
        var history = LossHistory()
        for step in log.losses.keys.sorted() { history.record(step: step, loss: log.losses[step] ?? .nan) }
        let stride = max(1, history.count / maxLossPoints)
        var raw: [(x: Double, y: Double)] = [], ema: [(x: Double, y: Double)] = []
        for i in Swift.stride(from: 0, to: history.count, by: stride) {
            raw.append((Double(history.firstStep + i), Double(history.raw[i])))
            ema.append((Double(history.firstStep + i), Double(history.smoothed[i])))
        }
        let epochs = log.epochs.keys.sorted().compactMap { log.epochs[$0] }
        let testLoss = epochs.map { (x: Double(log.epochEndSteps[$0.summary.epoch] ?? 0), y: $0.summary.testLoss) }
        let lossTop = max(history.maximum.isFinite ? Double(history.maximum) : 1, testLoss.map(\.y).filter(\.isFinite).max() ?? 0)
        body += section("loss", "Loss", ReportCharts.lineChart([
            .init(name: "batch loss", color: "#9bb8d8", points: raw, width: 1),
            .init(name: "EMA (0.05)", color: "#1f4e9a", points: ema, width: 2.5),
            .init(name: "test loss", color: "#d2691e", points: testLoss, dots: true),
        ], xLabel: "step", yLabel: "cross-entropy", yRange: 0...max(lossTop, 1e-3), yFormat: { NumberFormatting.fixed($0, decimals: 2) }))

        // Accuracy per epoch: chart and table.
        var accuracy = ReportCharts.lineChart([
            .init(name: "train", color: "#1f4e9a", points: epochs.map { (Double($0.summary.epoch), $0.summary.trainAccuracy * 100) }, width: 2),
            .init(name: "test", color: "#d2691e", points: epochs.map { (Double($0.summary.epoch), $0.summary.testAccuracy * 100) }, width: 2),
        ], xLabel: "epoch", yLabel: "accuracy (%)",
           yRange: max(0, ((epochs.map { min($0.summary.trainAccuracy, $0.summary.testAccuracy) }.min() ?? 0) * 100 - 2).rounded(.down))...100,
           yFormat: { NumberFormatting.fixed($0, decimals: 1) })
        accuracy += "<table class=\"figures\"><tr><th>epoch</th><th>train loss</th><th>train acc.</th><th>test loss</th><th>test acc.</th><th>lr</th><th>seconds</th></tr>"
        for e in epochs {
            let s = e.summary
            accuracy += "<tr><td>\(s.epoch)</td><td>\(NumberFormatting.fixed(s.trainLoss, decimals: 4))</td><td>\(pct(s.trainAccuracy))</td>"
                + "<td>\(NumberFormatting.fixed(s.testLoss, decimals: 4))</td><td>\(pct(s.testAccuracy))</td>"
                + "<td>\(NumberFormatting.json(s.learningRate))</td><td>\(NumberFormatting.fixed(s.trainSeconds, decimals: 2))</td></tr>"
        }
        body += section("accuracy", "Accuracy", accuracy + "</table>")

        // The run's options.
        var options = "<table class=\"options\">"
        let facts = [("dataset", "\(info.datasetName) (\(info.trainCount) train, \(info.testCount) test images)"),
                     ("dataset fingerprint", run.fingerprint), ("layers", info.layerSizes.map(String.init).joined(separator: "-")),
                     ("run lines", "\(log.runs.count)" + (log.runs.count > 1 ? " (resumed)" : ""))]
        for (name, value) in facts + run.options {
            options += "<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>"
        }
        body += section("options", "Options", options + "</table>")

        // Confusion matrix of the last epoch.
        if let last {
            let k = last.confusion.classes
            let rows = (0..<k).map { t in (0..<k).map { last.confusion[t, $0] } }
            body += section("confusion", "Confusion matrix · epoch \(last.summary.epoch)",
                            ReportCharts.heatMap(rows, classNames: info.classNames))
        } else {
            body += section("confusion", "Confusion matrix", "<p class=\"empty\">no epoch finished yet</p>")
        }

        // Misclassified digits of the last epoch.
        var grid = ""
        let wrong = last?.misclassified ?? []
        if let imageNote { grid += "<p class=\"note\">\(escape(imageNote))</p>" }
        grid += "<p>\(wrong.count) misclassified test images\(wrong.count > maxDigits ? "; the first \(maxDigits) shown" : ""). "
            + "label → prediction, and the model's probability for its prediction.</p><div class=\"digits\">"
        for m in wrong.prefix(maxDigits) {
            let p = m.probabilities.indices.contains(m.predicted) ? NumberFormatting.fixed(Double(m.probabilities[m.predicted]), decimals: 2) : "?"
            let picture = images.flatMap { DigitPNG.encode($0, index: m.testIndex) }
                .map { "<img src=\"data:image/png;base64,\(Data($0).base64EncodedString())\" width=\"56\" height=\"56\" alt=\"test image \(m.testIndex)\"/>" }
                ?? "<div class=\"noimage\">#\(m.testIndex)</div>"
            grid += "<figure>\(picture)<figcaption><b>\(m.label)</b> → <span class=\"wrong\">\(m.predicted)</span> <small>p \(p)</small></figcaption></figure>"
        }
        body += section("misclassified", "Misclassified digits", grid + "</div>")

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>
            <title>mnist-tui report: \(escape(source))</title><style>\(css)</style></head>
            <body>\(body)<footer>\(escape(ProgramVersion.text)) · report of \(escape(source))</footer></body></html>

            """
    }

    private static func section(_ id: String, _ title: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(escape(title))</h2>\(content)</section>\n"
    }

    private static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fafafa;margin:0 auto;max-width:940px;padding:16px 24px}
        h1{font-size:24px;margin:8px 0 2px}h2{font-size:18px;margin:0 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
        .sub{color:#555;margin:0 0 16px}section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:12px 16px;margin:0 0 16px}
        svg.chart{width:100%;height:auto;display:block}svg.heat{width:520px;max-width:100%;height:auto;display:block}
        .grid{stroke:#eee}.axis{stroke:#888}.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#333}.legend{font-size:12px;fill:#333}.count{font-size:11px}
        table{border-collapse:collapse;margin-top:8px;font-variant-numeric:tabular-nums}th,td{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}
        table.options th{text-align:left;font-weight:600;color:#444}table.options td{text-align:left;font-family:ui-monospace,monospace}
        .digits{display:flex;flex-wrap:wrap;gap:6px}figure{margin:0;width:76px;text-align:center}
        figure img{image-rendering:pixelated;border:1px solid #ddd;display:block;margin:0 auto}
        figcaption{font-size:12px;white-space:nowrap}.wrong{color:#c62828;font-weight:600}small{color:#777}
        .noimage{width:56px;height:56px;border:1px dashed #bbb;margin:0 auto;font-size:10px;line-height:56px;color:#888}
        .note{color:#8a5a00}.empty{color:#888}footer{color:#888;font-size:12px;margin:8px 0 24px}
        """
}
