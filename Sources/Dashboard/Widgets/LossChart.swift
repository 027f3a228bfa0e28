import Cells
import Engine
import Foundation

// The loss panel: every per-batch loss as dots (min and max per column, so spikes survive
// compression), its EMA as a line, per-epoch test loss markers, epoch ticks, lr-change marks.
// Comparing runs (several runs, or a ghost), every run's EMA is drawn in its own colour and
// marker (`RunMark`) on one scale, the focused run's batch dots and EMA on top; the legend under
// the chart names them (`LossLegend`).
// Long file: one chart, drawn in layers (scales, dots, lines, markers, axes) that share its scales.

/// What the loss chart draws: its slice of the state.
struct LossChartModel {
    var lossScale: LossScale
    var losses: LossHistory
    var batchesPerEpoch: Int
    var epochs: [EpochPoint]
    var learningRateChanges: [LearningRateChange]
    var divergences: [Divergence]
    /// Every run's curves when runs are compared (several runs, or a ghost), the focused run's
    /// among them; empty for a run alone.
    var series: [LossSeries] = []

    var compares: Bool { !series.isEmpty }
}

extension AppState {
    var lossChart: LossChartModel {
        LossChartModel(lossScale: lossScale, losses: losses, batchesPerEpoch: batchesPerEpoch, epochs: epochs,
                       learningRateChanges: learningRateChanges, divergences: divergences,
                       series: runs.count > 1 || !ghosts.isEmpty ? lossSeries : [])
    }
}

enum LossChart {
    /// Panel title, naming the scale and its key.
    static func title(_ state: LossChartModel) -> String {
        "Loss · " + (state.lossScale == .linear ? "linear" : "log") + " [L]"
    }

    /// Legend for the panel's top border.
    static func legend(_ theme: Theme, compares: Bool = false) -> String {
        if compares { return theme.options.unicode ? "⠒ batch ━ EMA ◆●▲■ test" : ". batch, 1-4 EMA and test" }
        return theme.options.unicode ? "⠒ batch ━ EMA ◆ test" : ". batch * EMA o test"
    }

    /// Draws the chart (axes included) inside `rect`.
    static func draw(_ state: LossChartModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard rect.width >= 12, rect.height >= 3 else {
            drawSummary(state, in: rect, grid: &grid, theme: theme)
            return
        }
        let history = state.losses
        let others = state.series.filter { !$0.mark.focused }
        guard !history.isEmpty || others.contains(where: { !$0.losses.isEmpty }) else {
            grid.put("waiting for the first batch…", x: rect.x + 1, y: rect.y + rect.height / 2,
                     style: theme.style(.dim), limit: rect.width - 1)
            return
        }
        let labelWidth = axisLabelWidth + 1
        let hasLabelRow = rect.height >= 7
        let plot = Rect(x: rect.x + labelWidth, y: rect.y, width: rect.width - labelWidth,
                        height: rect.height - 1 - (hasLabelRow ? 1 : 0))
        guard !plot.isEmpty else { return }

        // MARK: Scales (shared by every run drawn)
        let bpe = max(1, state.batchesPerEpoch)
        let histories = ([history] + others.map(\.losses)).filter { !$0.isEmpty }
        let firstStep = histories.map(\.firstStep).min() ?? 1
        let lastStep = histories.map { $0.nextStep - 1 }.max() ?? firstStep
        let span = max(lastStep - firstStep + 1, bpe, 1)
        let columns = plot.width * 2
        let rows = plot.height * 4
        // Comparing, a run that diverged (batch losses hundreds of times the others') would flatten
        // every other curve onto the axis: the y scale follows the runs that did not diverge, and
        // the diverged run's points are clipped at the top (its legend entry says DIVERGED).
        var scaled: [(losses: LossHistory, epochs: [EpochPoint])] =
            [(history, state.epochs)] + others.map { ($0.losses, $0.epochs) }
        let calm = state.series.filter { $0.divergences.isEmpty && !$0.losses.isEmpty }
        if state.compares && !calm.isEmpty { scaled = calm.map { ($0.losses, $0.epochs) } }
        let scaledHistories = scaled.map(\.losses).filter { !$0.isEmpty }
        var top = Double(scaledHistories.map(\.maximum).max() ?? -.infinity)
        var bottom = Double(scaledHistories.map(\.minimum).min() ?? .infinity)
        var bottomPositive = Double(scaledHistories.map(\.minimumPositive).min() ?? .infinity)
        for point in scaled.flatMap(\.epochs) where point.summary.testLoss.isFinite {
            let testLoss = point.summary.testLoss
            top = max(top, testLoss)
            bottom = min(bottom, testLoss)
            if testLoss > 0 { bottomPositive = min(bottomPositive, testLoss) }
        }
        let y = YScale(scale: state.lossScale, minimum: bottom, minimumPositive: bottomPositive,
                       maximum: top, rows: rows)
        func column(ofStep step: Int) -> Int {
            min(columns - 1, max(0, (step - firstStep) * columns / span))
        }

        // MARK: Batch dots (the focused run's) and EMA lines (each run's, the focused run's on top)
        let focused = compress(history, firstStep: firstStep, span: span, columns: columns)
        var canvas = DotCanvas(width: plot.width, height: plot.height)
        for c in 0..<columns where focused.low[c] <= focused.high[c] {
            canvas.vertical(c, from: y.row(Double(focused.high[c])), to: y.row(Double(focused.low[c])), layer: .raw)
        }
        if !state.compares {
            trace(focused.smooth, y: y, into: &canvas)
            canvas.draw(into: &grid, x: plot.x, y: plot.y, theme: theme) { layer in
                theme.style(layer == .smooth ? .smoothLoss : .rawLoss)
            }
        } else {
            canvas.draw(into: &grid, x: plot.x, y: plot.y, theme: theme) { _ in theme.style(.rawLoss) }
            let lines = state.series.map { run in
                (run.mark, run.mark.focused ? focused.smooth
                    : compress(run.losses, firstStep: firstStep, span: span, columns: columns).smooth)
            }
            for (mark, smooth) in lines {
                var line = DotCanvas(width: plot.width, height: plot.height)
                trace(smooth, y: y, into: &line)
                line.draw(into: &grid, x: plot.x, y: plot.y, theme: theme, merging: true,
                          asciiLine: mark.letter) { _ in mark.style(theme) }
            }
            if theme.options.unicode && !theme.options.color {
                for (mark, smooth) in lines { markLine(smooth, mark: mark, y: y, plot: plot, grid: &grid, theme: theme) }
            }
        }

        // MARK: Test loss per epoch
        let testMarks: [(epochs: [EpochPoint], glyph: Unicode.Scalar, style: Style)] = state.compares
            ? state.series.map { ($0.epochs, $0.mark.marker(theme), $0.mark.style(theme)) }
            : [(state.epochs, theme.glyphs.testMarker, theme.style(.testLoss))]
        for marks in testMarks {
            for point in marks.epochs where point.summary.testLoss.isFinite {
                guard point.endStep >= firstStep, point.endStep < firstStep + span + 1 else { continue }
                let cx = plot.x + column(ofStep: point.endStep) / 2
                let cy = plot.y + min(plot.height - 1, y.row(point.summary.testLoss) / 4)
                grid[cx, cy] = marks.style.cell(marks.glyph)
            }
        }

        // MARK: Learning-rate changes and divergences, on the top row where they happened
        let changes = state.learningRateChanges.filter { $0.step >= firstStep && $0.step <= firstStep + span }
        let markColumns = changes.map { plot.x + column(ofStep: $0.step) / 2 }
        for (i, change) in changes.enumerated() {
            let cx = markColumns[i]
            // The new value follows the arrow when it fits before the next mark.
            let next = i + 1 < markColumns.count ? markColumns[i + 1] : plot.maxX
            let mark = change.to >= change.from ? theme.glyphs.lrUp : theme.glyphs.lrDown
            let text = Format.learningRate(change.to)
            let label = next - cx > text.count ? String(mark) + text : String(mark)
            grid.put(label, x: cx, y: plot.y, style: theme.style(.lrMark), limit: max(1, min(next, plot.maxX) - cx))
        }
        let divergences = state.compares
            ? state.series.flatMap { run in run.divergences.map { ($0, max(1, run.batchesPerEpoch)) } }
            : state.divergences.map { ($0, bpe) }
        for (divergence, perEpoch) in divergences {
            let step = (divergence.epoch - 1) * perEpoch + divergence.batch
            guard step >= firstStep, step <= firstStep + span else { continue }
            grid[plot.x + column(ofStep: step) / 2, plot.y] = theme.style(.warning).cell("!")
        }

        // MARK: Y axis
        let axis = theme.style(.axis)
        for row in 0..<plot.height {
            grid[plot.x - 1, plot.y + row] = axis.cell(theme.glyphs.vertical)
        }
        let labelRows = plot.height >= 5 ? [0, plot.height / 2, plot.height - 1] : [0, plot.height - 1]
        for row in Set(labelRows).sorted() {
            let value = y.value(atRow: row * 4 + (row == plot.height - 1 ? 3 : 0))
            grid.put(Format.padLeft(axisLabel(value, scale: y), labelWidth - 1), x: rect.x, y: plot.y + row,
                     style: theme.style(.label), limit: labelWidth - 1)
            grid[plot.x - 1, plot.y + row] = axis.cell(theme.glyphs.axisLeftTick)
        }

        // MARK: X axis with epoch ticks
        let axisY = plot.maxY
        grid[plot.x - 1, axisY] = axis.cell(theme.glyphs.axisCorner)
        for x in plot.x..<plot.maxX { grid[x, axisY] = axis.cell(theme.glyphs.horizontal) }
        let firstEpoch = max(1, (firstStep - 1) / bpe + 1)
        let lastEpoch = (firstStep + span - 1) / bpe
        var lastTick = -1_000_000
        var lastLabelEnd = -1_000_000
        if firstEpoch <= lastEpoch {
            for epoch in firstEpoch...lastEpoch {
                let cx = plot.x + column(ofStep: epoch * bpe) / 2
                guard cx - lastTick >= 2 else { continue }
                lastTick = cx
                grid[cx, axisY] = axis.cell(theme.glyphs.axisTick)
                let label = String(epoch)
                let lx = cx - label.count + 1
                if hasLabelRow, lx > lastLabelEnd, cx < plot.maxX {
                    grid.put(label, x: lx, y: axisY + 1, style: theme.style(.label))
                    lastLabelEnd = cx + 1
                }
            }
        }
        if hasLabelRow {
            grid.put("epoch", x: rect.x, y: axisY + 1, style: theme.style(.label), limit: labelWidth - 1)
        }
    }

    /// Per dot column: the lowest and highest loss and the last EMA of the steps that fall in it
    /// (`firstStep` is the chart's first step, `span` the steps it shows).
    static func compress(_ history: LossHistory, firstStep: Int, span: Int,
                         columns: Int) -> (low: [Float], high: [Float], smooth: [Float]) {
        var low = [Float](repeating: .infinity, count: columns)
        var high = [Float](repeating: -.infinity, count: columns)
        var smooth = [Float](repeating: .nan, count: columns)
        let offset = history.firstStep - firstStep
        history.raw.withUnsafeBufferPointer { raw in
            history.smoothed.withUnsafeBufferPointer { ema in
                for i in 0..<raw.count {
                    let c = min(columns - 1, max(0, (i + offset) * columns / span))
                    let v = raw[i]
                    if v.isFinite {
                        if v < low[c] { low[c] = v }
                        if v > high[c] { high[c] = v }
                    }
                    if ema[i].isFinite { smooth[c] = ema[i] }
                }
            }
        }
        return (low, high, smooth)
    }

    /// The EMA as a line through its columns; sparse points are joined with straight lines.
    static func trace(_ smooth: [Float], y: YScale, into canvas: inout DotCanvas) {
        var previous: (x: Int, y: Int)?
        for c in smooth.indices {
            guard smooth[c].isFinite else { continue }
            let r = y.row(Double(smooth[c]))
            if let p = previous, c - p.x > 1 {
                for x in (p.x + 1)...c {
                    let t = Double(x - p.x) / Double(c - p.x)
                    let yy = Int((Double(p.y) + t * Double(r - p.y)).rounded())
                    let prevY = Int((Double(p.y) + Double(x - 1 - p.x) / Double(c - p.x) * Double(r - p.y)).rounded())
                    canvas.vertical(x, from: prevY, to: yy, layer: .smooth)
                }
            } else {
                canvas.vertical(c, from: previous?.y ?? r, to: r, layer: .smooth)
            }
            previous = (c, r)
        }
    }

    /// Without colour, braille lines all look alike: each run's marker rides on its line every
    /// `markSpacing` cells (shifted per run, so two lines together still show both).
    static func markLine(_ smooth: [Float], mark: RunMark, y: YScale, plot: Rect, grid: inout CellGrid, theme: Theme) {
        let shift = (mark.isGhost ? 4 + mark.index : mark.index) * 3
        for cell in stride(from: 2 + shift % markSpacing, to: plot.width, by: markSpacing) {
            let values = [2 * cell, 2 * cell + 1].compactMap { smooth.indices.contains($0) && smooth[$0].isFinite ? smooth[$0] : nil }
            guard let value = values.last else { continue }
            let row = plot.y + min(plot.height - 1, y.row(Double(value)) / 4)
            // Where lines run together another run's marker may sit there already: one cell on.
            let x = (plot.x + cell..<min(plot.maxX, plot.x + cell + 3)).first { (0x2800...0x28FF).contains(grid[$0, row].character.value) }
            if let x { grid[x, row] = mark.style(theme).cell(mark.marker(theme)) }
        }
    }

    static let markSpacing = 12

    /// A y-axis label: on the linear scale every label has the decimals the top one needs. At most
    /// `axisLabelWidth` characters: a longer one (0.00043 on the log scale, 123456 after a blow-up)
    /// would be clipped into a wrong number, so it is written short (4.3e-4, 1.2e5).
    static func axisLabel(_ value: Double, scale: YScale) -> String {
        let text: String
        if scale.isLog {
            text = Format.loss(value)
        } else {
            let top = abs(scale.high)
            let decimals = top >= 100 ? 0 : top >= 10 ? 1 : top >= 0.1 ? 2 : 3
            text = Format.c("%.\(decimals)f", value)
        }
        return text.count <= axisLabelWidth ? text : Format.scientific(value, width: axisLabelWidth)
    }

    /// Columns for a y-axis label (the axis line follows it).
    static let axisLabelWidth = 5

    /// Too small for a chart: the latest figures as text.
    private static func drawSummary(_ state: LossChartModel, in rect: Rect, grid: inout CellGrid, theme: Theme) {
        guard !rect.isEmpty else { return }
        let i = state.losses.count - 1
        let text = i >= 0 ? "loss " + Format.loss(Double(state.losses.raw[i])) : "loss --"
        grid.put(text, x: rect.x, y: rect.y, style: theme.style(.smoothLoss), limit: rect.width)
    }
}

/// Maps loss values to dot rows (0 at the top) on a linear or log scale.
struct YScale {
    let isLog: Bool
    let low: Double
    let high: Double
    let rows: Int

    init(scale: LossScale, minimum: Double, minimumPositive: Double, maximum: Double, rows: Int) {
        self.rows = max(1, rows)
        var lo: Double, hi: Double
        if scale == .log, minimumPositive.isFinite, maximum.isFinite, maximum > 0 {
            isLog = true
            lo = log10(minimumPositive)
            hi = log10(maximum)
        } else {
            isLog = false
            lo = minimum.isFinite ? min(0, minimum) : 0
            hi = maximum.isFinite ? maximum : 1
        }
        if !(hi > lo) { hi = lo + (isLog ? 1 : max(1, abs(lo))) }
        low = lo
        high = hi
    }

    func row(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        let v = isLog ? log10(max(value, 1e-30)) : value
        let t = (v - low) / (high - low)
        let r = Int(((1 - t) * Double(rows - 1)).rounded())
        return min(rows - 1, max(0, r))
    }

    func value(atRow row: Int) -> Double {
        let t = 1 - Double(row) / Double(max(1, rows - 1))
        let v = low + t * (high - low)
        return isLog ? pow(10, v) : v
    }
}
