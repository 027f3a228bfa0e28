/// One column of the summary: an environment's engine measurement and the numpy run beside it.
struct Comparison {
    var environment: BlasEnvironment
    var engine: EnvironmentMeasurement
    var numpyKernel: String
    /// nil when the numpy run was skipped.
    var numpyEpochSeconds: [Double]?

    var numpyMedian: Double? { numpyEpochSeconds.map(median) }
}

/// The closing table: one row per figure, one column per environment.
enum SummaryTable {
    static func render(_ comparisons: [Comparison], threads: Int, epochs: Int) -> String {
        let rows: [(String, (Comparison) -> String)] = [
            ("OpenBLAS kernel, engine / numpy", { "\($0.engine.kernel) / \($0.numpyKernel)" }),
            ("GEMM floor per epoch", { "\(fmt($0.engine.gemmFloorPerEpoch, 3)) s (\(fmt($0.engine.floorGFLOPs, 0)) GFLOP/s)" }),
            ("engine median epoch", { "\(fmt($0.engine.engineMedian, 3)) s" }),
            ("engine, first layer forced dense", { "\(fmt($0.engine.engineDenseMedian, 3)) s" }),
            ("engine / forced dense (goal <= 1)", { "\(fmt($0.engine.engineMedian / $0.engine.engineDenseMedian, 2))x" }),
            ("numpy median epoch", { $0.numpyMedian.map { "\(fmt($0, 3)) s" } ?? "skipped" }),
            ("numpy / engine (goal >= 1.4)", { c in c.numpyMedian.map { "\(fmt($0 / c.engine.engineMedian, 2))x" } ?? "-" }),
            ("engine effective GFLOP/s", { fmt($0.engine.engineGFLOPs, 1) }),
            ("engine / GEMM floor (goal <= 0.75)", { "\(fmt($0.engine.engineMedian / $0.engine.gemmFloorPerEpoch, 2))x" }),
            ("step, first layer sparse / dense", { c in
                "\(fmt(c.engine.firstLayer.ratio, 2))x (\(c.engine.sparseKernel), density \(fmt(c.engine.firstLayer.density, 2)))" }),
            ("engine's first layer ran", { c in
                "\(c.engine.firstLayer.engineKernel) (sparse for \(c.engine.firstLayer.sparseBatches)/\(c.engine.firstLayer.batches) batches)" }),
        ]
        let labelWidth = rows.map(\.0.count).max() ?? 0
        let columns = comparisons.map { comparison in
            [comparison.environment.label] + rows.map { $0.1(comparison) }
        }
        let widths = columns.map { $0.map(\.count).max() ?? 0 }
        var lines: [String] = []
        let heading = "Summary: median epoch (training pass), \(threads) threads, \(epochs) epoch\(epochs == 1 ? "" : "s")"
        lines.append(heading)
        func line(_ label: String, _ cell: ([String]) -> String) -> String {
            let text = pad(label, labelWidth) + zip(columns, widths).map { "  " + pad(cell($0), $1) }.joined()
            return String(text.reversed().drop(while: { $0 == " " }).reversed())
        }
        lines.append(line("") { $0[0] })
        lines.append(String(repeating: "-", count: labelWidth + widths.reduce(0) { $0 + $1 + 2 }))
        for (index, row) in rows.enumerated() {
            lines.append(line(row.0) { $0[index + 1] })
        }
        // The mixed pairing: the product as it runs here against numpy as it runs without the pin.
        if let unpinned = comparisons.first(where: { $0.environment == .unpinned }),
           let inherited = comparisons.first(where: { $0.environment == .inherited }),
           let numpy = unpinned.numpyMedian {
            lines.append("")
            lines.append("Mixed: numpy unpinned (\(unpinned.numpyKernel)) / engine in the inherited env (\(inherited.engine.kernel)): "
                         + "\(fmt(numpy / inherited.engine.engineMedian, 2))x")
        }
        lines.append("GEMM floor: the 8 training GEMMs at full width, timed alone; the engine's first layer runs on "
                     + "the nonzero pixels (sparse kernels) when a batch is sparse enough, so it can beat it.")
        return lines.joined(separator: "\n")
    }
}

/// Left-aligns `text` in `width` columns (counting characters).
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
