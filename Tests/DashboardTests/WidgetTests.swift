import Cells
import Testing
import Engine
import MNISTData
@testable import Dashboard

/// Draws with a widget into a fresh grid of `width` x `height`, the whole grid as its area.
func drawWidget(width: Int, height: Int, unicode: Bool = true, color: Bool = true,
                _ body: (inout CellGrid, Rect, Theme) -> Void) -> CellGrid {
    var grid = CellGrid(width: width, height: height)
    let theme = Theme(DisplayOptions(unicode: unicode, color: color))
    body(&grid, Rect(x: 0, y: 0, width: grid.width, height: grid.height), theme)
    return grid
}

/// A 28x28 image set from rows of '#' (ink) and '.' (blank), each row repeated to 28 pixels.
func blockImage(top: Bool, bottom: Bool) -> LabeledImages {
    var pixels = [UInt8](repeating: 0, count: 784)
    for y in 0..<28 where (y < 14 ? top : bottom) {
        for x in 0..<28 { pixels[y * 28 + x] = 255 }
    }
    return LabeledImages(count: 1, rows: 28, cols: 28, pixels: pixels, labels: [3])
}

// MARK: - Dot canvas

@Suite struct DotCanvasTests {
    @Test func brailleDots() {
        var canvas = DotCanvas(width: 3, height: 1)
        for y in 0..<4 { canvas.set(0, y, layer: .raw); canvas.set(1, y, layer: .raw) }   // full cell
        canvas.set(2, 0, layer: .raw)                                                      // top-left dot
        canvas.set(5, 3, layer: .smooth)                                                   // bottom-right dot
        canvas.set(99, 99, layer: .raw)                                                    // outside: ignored
        let grid = drawWidget(width: 3, height: 1) { grid, _, theme in
            canvas.draw(into: &grid, x: 0, y: 0, theme: theme) { _ in .plain }
        }
        #expect(grid.lines == ["⣿⠁⢀"])
    }

    @Test func asciiDots() {
        var canvas = DotCanvas(width: 4, height: 1)
        canvas.vertical(0, from: 0, to: 3, layer: .raw)   // both halves
        canvas.set(2, 1, layer: .raw)                     // top half
        canvas.set(5, 2, layer: .raw)                     // bottom half
        canvas.set(6, 0, layer: .smooth)                  // the smoothed line
        let grid = drawWidget(width: 4, height: 1, unicode: false) { grid, _, theme in
            canvas.draw(into: &grid, x: 0, y: 0, theme: theme) { _ in .plain }
        }
        #expect(grid.lines == [":'.*"])
    }
}

// MARK: - Loss chart

@Suite struct LossChartTests {
    static func state(losses: [Float], bpe: Int = 10) -> AppState {
        var info = Fixtures.info()
        info.batchesPerEpoch = bpe
        var state = AppState(info: info, testImages: Fixtures.images(count: 1), options: DisplayOptions(), startTime: 0)
        for (i, loss) in losses.enumerated() {
            let step = i + 1
            state.apply(.batch(BatchMetrics(epoch: (step - 1) / bpe + 1, batch: (step - 1) % bpe + 1,
                                            batchesPerEpoch: bpe, step: step, loss: loss,
                                            learningRate: 0.2, samplesPerSecond: 1000)), now: 0)
        }
        return state
    }

    @Test func flatLineWithAxes() {
        // 20 equal losses across 2 epochs of 10: a flat line on the top row, ticks at 10 and 20.
        let state = Self.state(losses: Array(repeating: 1, count: 20))
        let grid = drawWidget(width: 16, height: 4) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines == [
            " 1.00┤⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉",
            "     │          ",
            " 0.00┤          ",
            "     └────┴────┴",
        ])
    }

    @Test func asciiVariant() {
        let state = Self.state(losses: Array(repeating: 1, count: 20))
        let grid = drawWidget(width: 16, height: 4, unicode: false) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines == [
            " 1.00|**********",
            "     |          ",
            " 0.00|          ",
            "     +----+----+",
        ])
    }

    @Test func spikesSurviveCompression() {
        // 2000 points into 20 dot columns: the one spike must still reach the top row.
        var losses = [Float](repeating: 0.5, count: 2000)
        losses[1234] = 4
        let state = Self.state(losses: losses, bpe: 1000)
        let grid = drawWidget(width: 16, height: 6) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        let plotTop = Array(grid.lines[0].unicodeScalars.dropFirst(6))
        let marked = plotTop.indices.filter { plotTop[$0] != " " }
        #expect(marked.count == 1)
        // Step 1235 of 2000 lies in dot column 12, cell 6.
        #expect(marked == [6])
    }

    @Test func learningRateChangeIsMarkedWhereItHappened() {
        var state = Self.state(losses: Array(repeating: 1, count: 20))
        state.apply(.learningRateChanged(from: 0.2, to: 0.1, step: 11), now: 0)
        let grid = drawWidget(width: 16, height: 4) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[0] == " 1.00┤⠉⠉⠉⠉⠉↓0.1⠉")
    }

    @Test func logScaleLabels() {
        var state = Self.state(losses: [1, 0.1, 0.01, 0.01])
        _ = state.handle(.character("L"), now: 0)
        let grid = drawWidget(width: 16, height: 6) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        // Top, middle and bottom labels: the middle is the geometric, not arithmetic, midpoint.
        #expect(grid.lines[0].hasPrefix(" 1.00┤"))
        #expect(grid.lines[2].hasPrefix("0.144┤"))
        #expect(grid.lines[4].hasPrefix(" 0.01┤"))
    }

    @Test func tinyAndEmptySizesNeverTrap() {
        let state = Fixtures.running()
        for (w, h) in [(0, 0), (1, 1), (1, 0), (0, 1), (2, 2), (11, 3), (12, 3), (13, 2), (200, 3)] {
            let grid = drawWidget(width: w, height: h) { grid, rect, theme in
                LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
            }
            #expect(grid.lines.count == h)
        }
        let one = drawWidget(width: 1, height: 1) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(one.lines == ["l"])
    }

    @Test func waitsForTheFirstBatch() {
        let state = AppStateTests.fresh()
        let grid = drawWidget(width: 40, height: 3) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[1].contains("waiting for the first batch"))
    }
}

// MARK: - Digits

@Suite struct DigitArtTests {
    @Test func halfBlocks() {
        let grid = drawWidget(width: 6, height: 1) { grid, _, theme in
            DigitArt.draw(blockImage(top: true, bottom: true), index: 0, x: 0, y: 0, width: 2, height: 1,
                          grid: &grid, theme: theme, style: .plain)
            DigitArt.draw(blockImage(top: true, bottom: false), index: 0, x: 2, y: 0, width: 2, height: 1,
                          grid: &grid, theme: theme, style: .plain)
            DigitArt.draw(blockImage(top: false, bottom: true), index: 0, x: 4, y: 0, width: 2, height: 1,
                          grid: &grid, theme: theme, style: .plain)
        }
        #expect(grid.lines == ["██▀▀▄▄"])
    }

    @Test func asciiShades() {
        let grid = drawWidget(width: 3, height: 2, unicode: false) { grid, _, theme in
            DigitArt.draw(blockImage(top: true, bottom: false), index: 0, x: 0, y: 0, width: 3, height: 2,
                          grid: &grid, theme: theme, style: .plain)
        }
        #expect(grid.lines == ["@@@", "   "])
    }

    @Test func badIndexDrawsNothing() {
        let grid = drawWidget(width: 4, height: 2) { grid, _, theme in
            DigitArt.draw(blockImage(top: true, bottom: true), index: 7, x: 0, y: 0, width: 4, height: 2,
                          grid: &grid, theme: theme, style: .plain)
        }
        #expect(grid.lines == ["    ", "    "])
    }

    @Test func captionsShowLabelPredictionAndMark() {
        let state = Fixtures.state(fullEpochs: 1, extraBatches: 0)
        // Fixture: after epoch 1 images 3 and 7 are wrong (every 4th, offset by the epoch).
        let grid = drawWidget(width: 44, height: 6) { grid, rect, theme in
            DigitsPanel.draw(state.digitsPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[5] == "  7→7 ✓      2→2 ✓      1→1 ✓      0→6 ✗    ")
        let ascii = drawWidget(width: 44, height: 6, unicode: false) { grid, rect, theme in
            DigitsPanel.draw(state.digitsPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(ascii.lines[5] == "  7>7 +      2>2 +      1>1 +      0>6 x    ")
    }

    @Test func correctAndWrongDifferInColourAndWithoutIt() {
        let state = Fixtures.state(fullEpochs: 1, extraBatches: 0)
        for color in [true, false] {
            let grid = drawWidget(width: 44, height: 6, color: color) { grid, rect, theme in
                DigitsPanel.draw(state.digitsPanel, in: rect, grid: &grid, theme: theme)
            }
            let right = grid[6, 5], wrong = grid[39, 5]
            #expect(right.character == "✓" && wrong.character == "✗")
            #expect(right.foreground != wrong.foreground || right.attributes != wrong.attributes)
            if !color {
                #expect(right.foreground == .default && wrong.foreground == .default)
                #expect(right.attributes != wrong.attributes)
            }
        }
    }

    @Test func beforeAnEvaluationPredictionsArePending() {
        let state = AppStateTests.fresh()
        let grid = drawWidget(width: 44, height: 6) { grid, rect, theme in
            DigitsPanel.draw(state.digitsPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[5].contains("7→?"))
    }
}

// MARK: - Confusion matrix

@Suite struct ConfusionPanelTests {
    static func state(focused: Bool) -> AppState {
        var state = AppStateTests.fresh()
        var metrics = Fixtures.epochMetrics(epoch: 1, images: state.testImages)
        var m = ConfusionMatrix(classes: 10)
        for i in 0..<10 { m[i, i] = 90 + i }
        m[4, 9] = 12
        m[7, 2] = 3
        m[1, 1] = 1135
        metrics.confusion = m
        state.apply(.epoch(metrics), now: 0)
        if focused {
            _ = state.handle(.tab, now: 0)
            for _ in 0..<4 { _ = state.handle(.down, now: 0) }
            for _ in 0..<9 { _ = state.handle(.right, now: 0) }
        }
        return state
    }

    @Test func narrowMatrix() {
        let grid = drawWidget(width: 39, height: 12, color: false) { grid, rect, theme in
            ConfusionPanel.draw(Self.state(focused: false).confusionPanel, in: rect, grid: &grid, theme: theme)
        }
        // The narrow variant: recall on the diagonal (** for 100%), no recall column.
        #expect(grid.lines == [
            "t\\p 0  1  2  3  4  5  6  7  8  9       ",
            " 0 **  ·  ·  ·  ·  ·  ·  ·  ·  ·       ",
            " 1  · **  ·  ·  ·  ·  ·  ·  ·  ·       ",
            " 2  ·  · **  ·  ·  ·  ·  ·  ·  ·       ",
            " 3  ·  ·  · **  ·  ·  ·  ·  ·  ·       ",
            " 4  ·  ·  ·  · 88  ·  ·  ·  · 12       ",
            " 5  ·  ·  ·  ·  · **  ·  ·  ·  ·       ",
            " 6  ·  ·  ·  ·  ·  · **  ·  ·  ·       ",
            " 7  ·  ·  3  ·  ·  ·  · 97  ·  ·       ",
            " 8  ·  ·  ·  ·  ·  ·  ·  · **  ·       ",
            " 9  ·  ·  ·  ·  ·  ·  ·  ·  · **       ",
            "1989/2004 right · Tab selects a cell   ",
        ])
    }

    @Test func wideMatrixWithSelection() {
        let grid = drawWidget(width: 51, height: 12) { grid, rect, theme in
            ConfusionPanel.draw(Self.state(focused: true).confusionPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[0] == "t\\p  0   1   2   3   4   5   6   7   8   9  recall ")
        #expect(grid.lines[2] == " 1   · 1135  ·   ·   ·   ·   ·   ·   ·   ·  100.0% ")
        #expect(grid.lines[5] == " 4   ·   ·   ·   ·  94   ·   ·   ·   ·  12   88.7% ")
        #expect(grid.lines[11].hasPrefix("true 4 pred 9: 12  Enter browse"))
        // The selected cell is highlighted; the diagonal and off-diagonal differ.
        let selected = grid[3 + 9 * 4 + 1, 5]
        #expect(selected.background == .palette(11))
        #expect(grid[3 + 4 * 4 + 2, 5].background != grid[3 + 2 * 4 + 2, 8].background)
    }

    @Test func diagonalDistinctWithoutColour() {
        let grid = drawWidget(width: 39, height: 12, color: false) { grid, rect, theme in
            ConfusionPanel.draw(Self.state(focused: false).confusionPanel, in: rect, grid: &grid, theme: theme)
        }
        let diagonal = grid[3 + 4 * 3 + 1, 5]   // "94"
        let error = grid[3 + 9 * 3 + 1, 5]      // "12"
        #expect(diagonal.attributes.contains(.underline))
        #expect(!error.attributes.contains(.underline))
    }

    @Test func waitsForAnEvaluation() {
        let grid = drawWidget(width: 39, height: 12) { grid, rect, theme in
            ConfusionPanel.draw(AppStateTests.fresh().confusionPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[0].hasPrefix("waiting for the first evaluation"))
    }
}

// MARK: - Accuracy, status, help, browser

@Suite struct PanelTests {
    @Test func accuracyMarksTheBest() {
        let state = Fixtures.state(fullEpochs: 3, extraBatches: 0)
        let grid = drawWidget(width: 40, height: 6) { grid, rect, theme in
            AccuracyPanel.draw(state.accuracyPanel, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines == [
            "test 95.13%  train 92.88%               ",
            "best 95.13% @ epoch 3 ★                 ",
            "  ep   train    test   90%…100%         ",
            "   1  88.25%  91.00%    ██              ",
            "   2  90.97%  93.47%    ██████          ",
            "   3  92.88%  95.13%  ★ ████████        ",
        ])
    }

    @Test func statusLines() {
        let state = Fixtures.running()
        let grid = drawWidget(width: 100, height: 2) { grid, rect, theme in
            StatusBar.draw(state.statusBar, in: rect, grid: &grid, theme: theme, now: 1047)
        }
        #expect(grid.lines == [
            " RUNNING   epoch 4/20  batch 117/235 ██████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░  17%  48k samples/s   ",
            "elapsed 0:47  ETA 0:20  lr 0.1  model 784-512-256-10  init normal  MNIST                            ",
        ])
    }

    @Test func statusStateWords() {
        #expect(StatusBar.stateWord(.running).0 == "RUNNING")
        #expect(StatusBar.stateWord(.paused).0 == "PAUSED")
        #expect(StatusBar.stateWord(.done).0 == "DONE")
        #expect(StatusBar.stateWord(.stopped).0 == "STOPPED")
        let d = Divergence(epoch: 1, batch: 2, loss: .nan, learningRate: 9, rolledBackToEpoch: 1)
        #expect(StatusBar.stateWord(.diverged(d)).0 == "DIVERGED")
    }

    @Test func helpListsEveryKey() {
        let grid = drawWidget(width: 80, height: 24) { grid, rect, theme in
            HelpOverlay.draw(in: rect, grid: &grid, theme: theme)
        }
        let text = grid.lines.joined(separator: "\n")
        for needle in ["p, space", "+ (or =)", "×2", "÷2", "- (or _)", "m ", "← → h l", "Home End", "Tab, c",
                       "arrows", "Enter", "Esc", "L ", "s ", "? ", "q ", "quit"] {
            #expect(text.contains(needle), "help lacks \(needle)")
        }
    }

    @Test func browserShowsLabelPredictionTopThreeAndCrossEntropy() throws {
        var state = Fixtures.running()
        _ = state.handle(.character("m"), now: 0)
        let digit = try #require(state.browsedDigit)
        let grid = drawWidget(width: 70, height: 16) { grid, rect, theme in
            BrowserPanel.draw(state.browserPanel, in: rect, grid: &grid, theme: theme)
        }
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("label          \(digit.label)"))
        #expect(text.contains("predicted      \(digit.predicted) ✗"))
        #expect(text.contains("top-3 softmax"))
        #expect(text.contains("cross-entropy  0.784 = -log p(4)"))
        #expect(grid.lines.filter { $0.contains("% █") }.count == 3)
        // The digit itself, large: 14 rows of half-blocks.
        #expect(grid.lines.filter { $0.hasPrefix(" ") && $0.contains("█") }.count >= 8)
    }
}

// MARK: - Whole screen at any size

@Suite struct ScreenSizeTests {
    @Test func everySizeRendersWithoutTrapping() {
        let states = [Fixtures.running(), AppStateTests.fresh(), Fixtures.running(options: DisplayOptions(unicode: false, color: false))]
        for state in states {
            for (w, h) in [(0, 0), (1, 1), (0, 5), (5, 0), (2, 1), (30, 8), (79, 24), (80, 23), (80, 24),
                           (81, 25), (100, 30), (120, 40), (200, 60), (300, 100)] {
                let grid = DashboardView.render(state, width: w, height: h, now: 1047)
                #expect(grid.width == w && grid.height == h)
            }
        }
        var browsing = Fixtures.running()
        _ = browsing.handle(.character("m"), now: 0)
        _ = browsing.handle(.character("?"), now: 0)
        for (w, h) in [(80, 24), (95, 27), (200, 60)] {
            #expect(DashboardView.render(browsing, width: w, height: h, now: 0).height == h)
        }
    }

    @Test func tooSmallSaysWhatItNeeds() {
        let state = Fixtures.running()
        let text = DashboardView.render(state, width: 60, height: 10, now: 0).lines.joined(separator: "\n")
        #expect(text.contains("Terminal too small: 60x10, need at least 80x24"))
        #expect(DashboardView.render(state, width: 1, height: 1, now: 0).lines == ["T"])
        #expect(DashboardView.render(state, width: 0, height: 0, now: 0).lines == [])
    }

    @Test func fullScreenHasEveryPanel() {
        for (w, h) in [(80, 24), (120, 40)] {
            let text = DashboardView.render(Fixtures.running(), width: w, height: h, now: 1047).lines.joined(separator: "\n")
            for needle in ["RUNNING", "epoch 4/20", "batch 117/235", "samples/s", "elapsed", "ETA", "lr 0.1",
                           "784-512-256-10", "init normal", "MNIST", "Loss", "Accuracy", "Digits", "Confusion", "? help", "q quit"] {
                #expect(text.contains(needle), "\(w)x\(h) lacks \(needle)")
            }
        }
    }

    @Test func biggerTerminalsShowMoreDigits() {
        let state = Fixtures.running()
        func captions(_ w: Int, _ h: Int) -> Int {
            DashboardView.render(state, width: w, height: h, now: 0).lines
                .map { $0.components(separatedBy: " ✓").count + $0.components(separatedBy: " ✗").count - 2 }
                .reduce(0, +)
        }
        #expect(captions(80, 24) == 3)
        #expect(captions(120, 40) == 8)
        #expect(captions(200, 60) > 20)
    }

    @Test func asciiModeIsPureASCII() {
        var state = Fixtures.running(options: DisplayOptions(unicode: false, color: false))
        for key: Key in [.character("?")] { _ = state.handle(key, now: 0) }
        for s in [state, Fixtures.running(options: DisplayOptions(unicode: false))] {
            for (w, h) in [(80, 24), (120, 40), (30, 8)] {
                let grid = DashboardView.render(s, width: w, height: h, now: 0)
                #expect(grid.cells.allSatisfy { $0.character.isASCII })
            }
        }
    }

    @Test func monochromeUsesNoColours() {
        var state = Fixtures.running(options: DisplayOptions(unicode: true, color: false))
        _ = state.handle(.tab, now: 0)
        let grid = DashboardView.render(state, width: 120, height: 40, now: 0)
        #expect(grid.cells.allSatisfy { $0.foreground == .default && $0.background == .default })
        #expect(grid.cells.contains { $0.attributes.contains(.reverse) })
    }
}
