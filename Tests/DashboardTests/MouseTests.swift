import Cells
import Testing
import Engine
@testable import Dashboard

/// Clicks and the wheel, on screens as drawn: where a matrix cell is comes from the rendered text
/// (its row label and column header), not from the layout code the click goes through.
@Suite struct MouseTests {
    static let now = 1047.0

    /// Screen cell of confusion cell (truth, predicted) as drawn: the column header's digit, the
    /// row whose label is `truth`.
    static func cellPosition(truth: Int, predicted: Int, in grid: CellGrid) throws -> (x: Int, y: Int) {
        let lines = grid.lines.map { Array($0.unicodeScalars) }
        let headerY = try #require(lines.firstIndex { String(String.UnicodeScalarView($0)).contains("t\\p") })
        let header = lines[headerY]
        let start = try #require((0..<(header.count - 2)).first { header[$0] == "t" && header[$0 + 1] == "\\" })
        // Column digits in order after "t\p"; the predicted column's is the (predicted+1)-th.
        let digits = (start + 3..<header.count).filter { header[$0].properties.numericType != nil }
        let x = digits[predicted]
        let y = headerY + 1 + truth
        let label = String(String.UnicodeScalarView(lines[y][start..<(start + 2)])).filter { $0 != " " }
        #expect(label == String(truth), "row \(y) is labelled \(label)")
        return (x, y)
    }

    static func click(_ x: Int, _ y: Int, button: MouseEvent.Button = .left) -> MouseEvent {
        MouseEvent(action: .press, button: button, x: x, y: y)
    }

    @Test("a click on a matrix cell focuses the matrix, selects the cell and opens its digits: as Tab, arrows, Enter",
          arguments: [(120, 40), (80, 24), (100, 30)])
    func clickCell(width: Int, height: Int) throws {
        let state = Fixtures.running()
        let grid = DashboardView.render(state, width: width, height: height, now: Self.now)
        let (x, y) = try Self.cellPosition(truth: 4, predicted: 9, in: grid)
        var clicked = state
        let commands = clicked.handle(mouse: Self.click(x, y), width: width, height: height, now: Self.now)
        #expect(commands.isEmpty)
        #expect(clicked.focus == .confusion)
        #expect(clicked.selection == MatrixCell(truth: 4, predicted: 9))
        #expect(clicked.browser?.filter == MatrixCell(truth: 4, predicted: 9))

        var keyed = state
        for key: Key in [.tab, .down, .down, .down, .down] + Array(repeating: .right, count: 9) + [.enter] {
            _ = keyed.handle(key, now: Self.now)
        }
        #expect(keyed.browser == clicked.browser && keyed.selection == clicked.selection && keyed.focus == clicked.focus)
        // The screen after the click shows that cell's digits.
        let after = DashboardView.render(clicked, width: width, height: height, now: Self.now)
        #expect(after.lines.joined().contains("true 4, predicted 9"))
    }

    @Test("every cell of the matrix is hit where it is drawn (edges of each cell included)")
    func everyCell() throws {
        let state = Fixtures.running()
        for (width, height) in [(120, 40), (80, 24)] {
            let grid = DashboardView.render(state, width: width, height: height, now: Self.now)
            for truth in 0..<10 {
                for predicted in 0..<10 {
                    let (x, y) = try Self.cellPosition(truth: truth, predicted: predicted, in: grid)
                    // A cell is as wide as the header's digits are apart; its digit is its
                    // second-last column (a space follows each value).
                    let cellWidth = try Self.cellPosition(truth: 0, predicted: 1, in: grid).x
                        - Self.cellPosition(truth: 0, predicted: 0, in: grid).x
                    for column in (x - cellWidth + 2)...(x + 1) {
                        var s = state
                        _ = s.handle(mouse: Self.click(column, y), width: width, height: height, now: Self.now)
                        #expect(s.selection == MatrixCell(truth: truth, predicted: predicted),
                                "\(width)x\(height) at (\(column), \(y))")
                    }
                }
            }
        }
    }

    @Test("a click on the matrix's header or footer only focuses it; a click elsewhere leaves it")
    func focusOnly() throws {
        let state = Fixtures.running()
        let grid = DashboardView.render(state, width: 120, height: 40, now: Self.now)
        let (x, y) = try Self.cellPosition(truth: 0, predicted: 0, in: grid)
        var s = state
        _ = s.handle(mouse: Self.click(x, y - 1), width: 120, height: 40, now: Self.now)  // header row
        #expect(s.focus == .confusion && s.browser == nil)
        _ = s.handle(mouse: Self.click(x, y + 10), width: 120, height: 40, now: Self.now)  // footer row
        #expect(s.focus == .confusion && s.browser == nil)
        _ = s.handle(mouse: Self.click(5, 5), width: 120, height: 40, now: Self.now)  // the loss chart
        #expect(s.focus == .none)
        _ = s.handle(mouse: Self.click(5, 5), width: 120, height: 40, now: Self.now)
        #expect(s.focus == .none)
    }

    @Test("the wheel steps through the browser as ← and → do; without a browser it does nothing")
    func wheel() {
        var state = Fixtures.running()
        let up = MouseEvent(action: .scrollUp, button: .none, x: 10, y: 10)
        let down = MouseEvent(action: .scrollDown, button: .none, x: 10, y: 10)
        let before = state
        _ = state.handle(mouse: down, width: 120, height: 40, now: Self.now)
        #expect(state.browser == nil && state.focus == before.focus)
        _ = state.handle(.character("m"), now: Self.now)
        let count = state.browser?.items.count ?? 0
        #expect(count > 2)
        _ = state.handle(mouse: down, width: 120, height: 40, now: Self.now)
        _ = state.handle(mouse: down, width: 120, height: 40, now: Self.now)
        #expect(state.browser?.position == 2)
        _ = state.handle(mouse: up, width: 120, height: 40, now: Self.now)
        #expect(state.browser?.position == 1)
        var keyed = state
        _ = keyed.handle(.left, now: Self.now)
        _ = state.handle(mouse: up, width: 120, height: 40, now: Self.now)
        #expect(state.browser == keyed.browser)
    }

    @Test("clicks inside the open browser, right clicks, drags and releases change nothing")
    func ignored() throws {
        var state = Fixtures.running()
        _ = state.handle(.character("m"), now: Self.now)
        let before = state.browser
        for event in [Self.click(10, 10), Self.click(100, 30, button: .right),
                      MouseEvent(action: .drag, button: .left, x: 100, y: 30),
                      MouseEvent(action: .release, button: .left, x: 100, y: 30)] {
            _ = state.handle(mouse: event, width: 120, height: 40, now: Self.now)
            #expect(state.browser == before && state.focus == .none)
        }
    }

    @Test("a click closes the help; the quit question and the path editor take keys only")
    func modes() {
        var state = Fixtures.running()
        _ = state.handle(.character("?"), now: Self.now)
        #expect(state.showHelp)
        _ = state.handle(mouse: Self.click(100, 30), width: 120, height: 40, now: Self.now)
        #expect(!state.showHelp && state.focus == .none)

        state.confirmSaveOnQuit = true
        _ = state.handle(.character("q"), now: Self.now)
        #expect(state.confirmingQuit)
        let commands = state.handle(mouse: Self.click(100, 30), width: 120, height: 40, now: Self.now)
        #expect(commands.isEmpty && state.confirmingQuit && !state.wantsQuit && state.focus == .none)
    }

    @Test("on the too-small screen clicks do nothing")
    func tooSmall() {
        var state = Fixtures.running()
        _ = state.handle(mouse: Self.click(10, 5), width: 60, height: 20, now: Self.now)
        #expect(state.focus == .none && state.browser == nil)
    }

    @Test("before the first evaluation a click on the matrix focuses it and opens nothing")
    func noEvaluationYet() {
        var state = Fixtures.state(fullEpochs: 0, extraBatches: 10)
        // The matrix panel is the right column's lower part: its rows sit just above the keys line.
        _ = state.handle(mouse: Self.click(110, 30), width: 120, height: 40, now: Self.now)
        #expect(state.focus == .confusion && state.browser == nil)
    }
}
