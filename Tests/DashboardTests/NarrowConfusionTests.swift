import Cells
import Testing
import Engine
@testable import Dashboard

// The narrow confusion matrix (the 80-column layout): every value two characters and a space,
// recall on the diagonal, "++" for 100 or more, the legend in the border, the exact count of the
// selected cell in the footer.

@Suite struct NarrowConfusionTests {
    /// An evaluation like a weak early epoch: three-digit off-diagonal counts next to each other.
    static func state(focusOn cell: MatrixCell? = nil) -> AppState {
        var state = AppStateTests.fresh()
        var metrics = Fixtures.epochMetrics(epoch: 1, images: state.testImages)
        var m = ConfusionMatrix(classes: 10)
        for i in 0..<10 { m[i, i] = 800 + i }
        m[2, 1] = 67; m[2, 2] = 770; m[2, 3] = 530           // 770 then 530: used to read "77053"
        m[3, 5] = 109; m[4, 9] = 187; m[8, 5] = 139           // used to read "##"
        m[5, 6] = 99; m[6, 5] = 100                           // either side of the marker
        m[1, 1] = 1135; m[7, 7] = 1028                        // perfect rows: used to read "1k"
        m[9, 9] = 0; m[9, 4] = 5                              // a class never recalled
        metrics.confusion = m
        state.apply(.epoch(metrics), now: 0)
        if let cell {
            _ = state.handle(.tab, now: 0)
            for _ in 0..<cell.truth { _ = state.handle(.down, now: 0) }
            for _ in 0..<cell.predicted { _ = state.handle(.right, now: 0) }
        }
        return state
    }

    static func draw(_ state: AppState, width: Int = 38, unicode: Bool = true) -> CellGrid {
        drawWidget(width: width, height: 12, unicode: unicode, color: false) { grid, rect, theme in
            ConfusionPanel.draw(state.confusionPanel, in: rect, grid: &grid, theme: theme)
        }
    }

    @Test func everyValueIsTwoCharactersAndSeparated() {
        let lines = Self.draw(Self.state()).lines
        #expect(lines[0] == "t\\p 0  1  2  3  4  5  6  7  8  9      ")
        for row in 1...10 {
            // Row label then ten cells: eleven separate tokens, none longer than two characters.
            let tokens = lines[row].split(separator: " ")
            #expect(tokens.count == 11, "row \(row - 1): \(lines[row])")
            #expect(tokens.allSatisfy { $0.count <= 2 }, "row \(row - 1): \(lines[row])")
            #expect(!lines[row].contains("#") && !lines[row].contains("k"))
        }
        #expect(lines[3] == " 2  · 67 56 ++  ·  ·  ·  ·  ·  ·      ")
        #expect(lines[4] == " 3  ·  ·  · 88  · ++  ·  ·  ·  ·      ")
        #expect(lines[6] == " 5  ·  ·  ·  ·  · 89 99  ·  ·  ·      ")
        #expect(lines[7] == " 6  ·  ·  ·  ·  · ++ 88  ·  ·  ·      ")
        #expect(lines[10] == " 9  ·  ·  ·  ·  5  ·  ·  ·  ·  0      ")
    }

    @Test func diagonalIsRecallRoundedDownAndPerfectIsMarked() {
        #expect(ConfusionPanel.narrowText(count: 770, rowTotal: 1367, diagonal: true) == "56")
        #expect(ConfusionPanel.narrowText(count: 997, rowTotal: 1000, diagonal: true) == "99")
        #expect(ConfusionPanel.narrowText(count: 5, rowTotal: 1000, diagonal: true) == " 0")
        #expect(ConfusionPanel.narrowText(count: 1135, rowTotal: 1135, diagonal: true) == "**")
        #expect(ConfusionPanel.narrowText(count: 0, rowTotal: 0, diagonal: true) == "--")
        #expect(ConfusionPanel.narrowText(count: 0, rowTotal: 9, diagonal: false) == nil)
        #expect(ConfusionPanel.narrowText(count: 99, rowTotal: 999, diagonal: false) == "99")
        #expect(ConfusionPanel.narrowText(count: 100, rowTotal: 999, diagonal: false) == "++")
        let lines = Self.draw(Self.state()).lines
        #expect(lines[2].hasPrefix(" 1  · ** "))
    }

    @Test func legendExplainsTheMarkersOnlyInTheNarrowVariant() {
        let state = Self.state()
        #expect(ConfusionPanel.legend(state.confusionPanel, innerWidth: 38) == "diagonal recall % (** 100) · ++ ≥100")
        #expect(ConfusionPanel.legend(state.confusionPanel, innerWidth: 51) == "")
        #expect(ConfusionPanel.legend(AppStateTests.fresh().confusionPanel, innerWidth: 38) == "")
        var ascii = state
        ascii.options = DisplayOptions(unicode: false, color: false)
        #expect(ConfusionPanel.legend(ascii.confusionPanel, innerWidth: 38).hasSuffix("++ >=100"))
        // On the 80x24 screen it sits in the confusion panel's bottom border.
        let screen = DashboardView.render(state, width: 80, height: 24, now: 1).lines
        #expect(screen[22].hasSuffix("┘└ diagonal recall % (** 100) · ++ ≥100 ┘"))
    }

    @Test func selectionFooterGivesTheExactCountAndCell() {
        let grid = Self.draw(Self.state(focusOn: MatrixCell(truth: 3, predicted: 5)))
        #expect(grid.lines[11] == "true 3 pred 5: 109 · Enter browse     ")
        // The selected cell shows its marker highlighted (selected cells are reverse without colour).
        #expect(grid[3 + 5 * 3 + 1, 4].character == "+")
        #expect(grid[3 + 5 * 3 + 1, 4].attributes != grid[3 + 6 * 3 + 1, 4].attributes)
        let diagonal = Self.draw(Self.state(focusOn: MatrixCell(truth: 1, predicted: 1)))
        #expect(diagonal.lines[11] == "true 1 pred 1: 1135 · Enter browse    ")
        // An empty selected cell reads 0 rather than the empty-cell dot.
        let empty = Self.draw(Self.state(focusOn: MatrixCell(truth: 0, predicted: 9)))
        #expect(empty.lines[1].hasSuffix(" ·  0      "))
        #expect(empty.lines[11].hasPrefix("true 0 pred 9: 0 ·"))
    }

    @Test func wideVariantStillShowsExactCounts() {
        let lines = Self.draw(Self.state(), width: 51).lines
        #expect(lines[3] == " 2   ·  67 770 530   ·   ·   ·   ·   ·   ·   56.3% ")
        #expect(lines[2].contains(" 1135 "))
    }
}
