import Cells
import Testing
@testable import App
import Dashboard

/// The mouse through the whole dashboard loop: reports in, the same frames keys would give out.
@Suite @MainActor struct MouseLoopTests {
    /// Where confusion cell (truth, predicted) is drawn in `frame`: its column header's digit, on
    /// the row below the header labelled `truth`.
    nonisolated static func cell(truth: Int, predicted: Int, in frame: [String]) throws -> (x: Int, y: Int) {
        let lines = frame.map { Array($0.unicodeScalars) }
        let headerY = try #require(lines.firstIndex { String(String.UnicodeScalarView($0)).contains("t\\p") })
        let start = try #require((0..<(lines[headerY].count - 1)).first { lines[headerY][$0] == "t" && lines[headerY][$0 + 1] == "\\" })
        let digits = (start + 3..<lines[headerY].count).filter { lines[headerY][$0].properties.numericType != nil }
        return (digits[predicted], headerY + 1 + truth)
    }

    @Test("a click on a confusion cell opens its digits; the wheel steps; Esc closes; q quits", arguments: [(120, 40), (80, 24)])
    func clickAndWheel(width: Int, height: Int) async throws {
        let first = await LoopRun.play([.events(LoopFixtures.firstEpoch), .idle], width: width, height: height)
        let (x, y) = try Self.cell(truth: 3, predicted: 5, in: first.screen.lastFrame)

        let run = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle,
            .mouse([MouseEvent(action: .press, button: .left, x: x, y: y),
                    MouseEvent(action: .release, button: .left, x: x, y: y)]), .idle,
        ], width: width, height: height)
        #expect(run.screen.lastText.contains("true 3, predicted 5"), "\(run.screen.lastText)")
        #expect(run.screen.lastText.contains("label"))
        #expect(run.state.focus == .confusion)
        #expect(run.run.calls.isEmpty, "the mouse never steers training")

        // The wheel over the one-digit list stays on it; Esc closes the browser as after Enter.
        let wheel = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle,
            .mouse([MouseEvent(action: .press, button: .left, x: x, y: y)]), .idle,
            .mouse([MouseEvent(action: .scrollDown, button: .none, x: 5, y: 5)]), .idle,
            .keys([.escape]), .idle, .keys([.character("q")]),
        ], width: width, height: height)
        #expect(wheel.end == .quit)
        #expect(wheel.state.browser == nil)
        #expect(!wheel.screen.lastText.contains("true 3, predicted 5"))
    }

    @Test("the wheel moves the browser of all misclassified digits like → and ←")
    func wheelMatchesKeys() async {
        let byWheel = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle, .keys([.character("m")]), .idle,
            .mouse([MouseEvent(action: .scrollDown, button: .none, x: 5, y: 5)]), .idle,
        ])
        let byKey = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle, .keys([.character("m")]), .idle, .keys([.right]), .idle,
        ])
        #expect(byWheel.state.browser != nil)
        #expect(byWheel.state.browser == byKey.state.browser)
        #expect(byWheel.screen.lastFrame == byKey.screen.lastFrame)
    }
}
