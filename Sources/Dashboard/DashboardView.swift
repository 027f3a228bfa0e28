// The whole screen: lays the panels out for the terminal's size and renders them into a grid.
// A pure function of the state, the size and the time; it never touches a terminal.
//
// How a front end drives it (App's DashboardLoop, on any `DashboardScreen`):
//
//     var state = AppState(info: ..., testImages: ..., options: ..., startTime: now)
//     for each TrainingEvent: state.apply(event, now: ...)
//     for each Key:           carry out state.handle(key, now: ...) (.pause/.resume/.setLearningRate
//                             -> trainer; .saveCheckpoint -> save, then state.finishSave(...); .quit)
//     on a tick/key/resize:   screen.draw(DashboardView.render(state, width: w, height: h, now: ...))
//     state.note("saved to run.ckpt", now: ...) shows the app's own messages in the keys line.
//
// Each widget draws its own slice of the state (`state.statusBar`, `state.keysLine`, ...).

import Cells

/// Renders an `AppState` into a `CellGrid`.
public enum DashboardView {
    /// The smallest terminal the full dashboard is drawn on.
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    /// The screen for `state` on a `width` x `height` terminal at time `now` (seconds, same clock
    /// as `AppState.startTime`). Any size is accepted, 0x0 included.
    public static func render(_ state: AppState, width: Int, height: Int, now: Double) -> CellGrid {
        var grid = CellGrid(width: width, height: height)
        guard grid.width > 0, grid.height > 0 else { return grid }
        let theme = Theme(state.options)
        guard grid.width >= minimumWidth, grid.height >= minimumHeight else {
            drawTooSmall(state, grid: &grid, theme: theme)
            if !theme.options.unicode { grid.makeASCII() }
            return grid
        }
        let layout = Layout(width: grid.width, height: grid.height, classes: state.classCount)
        StatusBar.draw(state.statusBar, in: layout.status, grid: &grid, theme: theme, now: now)

        let lossChart = state.lossChart
        var lossInner = grid.box(layout.loss, title: LossChart.title(lossChart), theme: theme,
                                 rightTitle: LossChart.legend(theme, compares: lossChart.compares))
        if lossChart.compares {
            // Every run's full label under the chart; the chart keeps what is left.
            let rows = LossLegend.rows(LossLegend.entries(lossChart.series, theme: theme), width: lossInner.width)
            let legendHeight = min(rows.count, lossInner.height)
            lossInner.height -= legendHeight
            LossLegend.draw(rows, in: Rect(x: lossInner.x, y: lossInner.maxY, width: lossInner.width, height: legendHeight),
                            grid: &grid)
        }
        LossChart.draw(lossChart, in: lossInner, grid: &grid, theme: theme)
        if state.showLayers {
            let layers = state.layersPanel
            let inner = grid.box(layout.digits, title: LayersPanel.title(layers), theme: theme)
            LayersPanel.draw(layers, in: inner, grid: &grid, theme: theme)
        } else {
            let digitsInner = grid.box(layout.digits, title: DigitsPanel.title(state.digitsPanel), theme: theme)
            DigitsPanel.draw(state.digitsPanel, in: digitsInner, grid: &grid, theme: theme)
        }
        let accuracyInner = grid.box(layout.accuracy, title: AccuracyPanel.title, theme: theme)
        let comparison = state.accuracyComparison
        if comparison.isEmpty {
            AccuracyPanel.draw(state.accuracyPanel, in: accuracyInner, grid: &grid, theme: theme)
        } else {
            AccuracyComparison.draw(comparison, in: accuracyInner, grid: &grid, theme: theme)
        }
        let confusionInner = grid.box(layout.confusion, title: ConfusionPanel.title(state.confusionPanel), theme: theme,
                                      focused: state.focus == .confusion,
                                      rightTitle: ConfusionPanel.legend(state.confusionPanel, innerWidth: layout.confusion.width - 2))
        ConfusionPanel.draw(state.confusionPanel, in: confusionInner, grid: &grid, theme: theme)

        if state.browser != nil {
            let area = layout.browser
            grid.fill(area)
            let inner = grid.box(area, title: BrowserPanel.title(state.browserPanel), theme: theme, focused: true)
            BrowserPanel.draw(state.browserPanel, in: inner.inset(0), grid: &grid, theme: theme)
        }
        InspectionPanel.draw(state.inspectionPanel, in: layout.browser, grid: &grid, theme: theme)
        KeysLine.draw(state.keysLine, in: layout.keys, grid: &grid, theme: theme, now: now)
        if state.showHelp {
            HelpOverlay.draw(in: Rect(x: 0, y: 0, width: grid.width, height: grid.height), grid: &grid, theme: theme)
        }
        if !theme.options.unicode { grid.makeASCII() }
        return grid
    }

    /// The "too small" screen: what the size is, what it needs, and the run's state.
    static func drawTooSmall(_ state: AppState, grid: inout CellGrid, theme: Theme) {
        let size = "\(grid.width)x\(grid.height)"
        let need = "need at least \(minimumWidth)x\(minimumHeight)"
        let oneLine = "Terminal too small: \(size), \(need)"
        var lines = oneLine.count <= grid.width ? [oneLine] : ["Terminal too small: \(size)", need]
        let (word, _) = StatusBar.stateWord(state.runState)
        let epoch = state.lastBatch.map { " · epoch \($0.epoch)/\(state.totalEpochs)" } ?? ""
        lines.append(word + (theme.options.unicode ? epoch : epoch.replacingOccurrences(of: "·", with: "-")))
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let n = line.unicodeScalars.count
            let x = max(0, (grid.width - n) / 2)
            grid.put(line, x: x, y: top + i, style: theme.style(i == lines.count - 1 ? .dim : .warning),
                     limit: grid.width - x)
        }
    }
}

/// Where each panel goes for one terminal size.
struct Layout {
    let status, keys, loss, digits, accuracy, confusion, browser: Rect

    init(width: Int, height: Int, classes: Int) {
        status = Rect(x: 0, y: 0, width: width, height: 2)
        keys = Rect(x: 0, y: height - 1, width: width, height: 1)
        let top = 2
        let mainHeight = height - 3
        // Right column: as wide as the confusion matrix needs (wider counts on wide screens).
        let cellWidth = width >= 110 ? 4 : 3
        let rightWidth = min(width / 2, ConfusionPanel.width(classes: classes, cellWidth: cellWidth) + 2)
        let leftWidth = width - rightWidth
        let confusionHeight = min(mainHeight - 4, ConfusionPanel.height(classes: classes))
        accuracy = Rect(x: leftWidth, y: top, width: rightWidth, height: mainHeight - confusionHeight)
        confusion = Rect(x: leftWidth, y: top + accuracy.height, width: rightWidth, height: confusionHeight)
        let lossHeight = (mainHeight * 11 + 10) / 21
        loss = Rect(x: 0, y: top, width: leftWidth, height: lossHeight)
        digits = Rect(x: 0, y: top + lossHeight, width: leftWidth, height: mainHeight - lossHeight)
        // The browser covers the left column when it is wide enough, else everything.
        browser = leftWidth >= 60 ? Rect(x: 0, y: top, width: leftWidth, height: mainHeight)
                                  : Rect(x: 0, y: top, width: width, height: mainHeight)
    }
}
