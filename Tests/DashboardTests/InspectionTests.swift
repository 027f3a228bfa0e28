import Cells
import Foundation
import Testing
import Engine
import MNISTData
@testable import Dashboard

/// The inside-the-network views (issue 10): their keys, when they ask for weights, what they show.
@Suite struct InspectionTests {
    /// Mid-run (3 epochs, a browser's worth of misclassified digits) with the MNIST fixture's weights.
    static func running(options: DisplayOptions = DisplayOptions(), keys: [Key] = []) throws -> AppState {
        var state = Fixtures.running(options: options)
        for key in keys { _ = state.handle(key, now: 1047) }
        state.updateWeights(try TrainedModel.weights(), now: 1047)
        return state
    }

    static func text(_ state: AppState, _ width: Int = 120, _ height: Int = 40) -> String {
        DashboardView.render(state, width: width, height: height, now: 1047).lines.joined(separator: "\n")
    }

    // MARK: f and /

    @Test func forwardPassFollowsTheBrowsersDigit() throws {
        var state = try Self.running(keys: [.character("m"), .character("f")])
        let first = try #require(state.browsedDigit)
        #expect(state.inspection.view == .forwardPass(.browsed))
        #expect(state.inspection.testIndex == first.testIndex)
        #expect(state.inspection.label == first.label)
        _ = state.handle(.right, now: 1048)
        let second = try #require(state.browsedDigit)
        #expect(second.testIndex != first.testIndex)
        #expect(state.inspection.testIndex == second.testIndex)
        // Keys the view does not bind reach the browser, and the view follows.
        _ = state.handle(.end, now: 1048)
        #expect(state.inspection.testIndex == state.browsedDigit?.testIndex)
        #expect(state.inspection.testIndex != second.testIndex)
        // Esc closes the view, then the browser.
        _ = state.handle(.escape, now: 1048)
        #expect(state.inspection.view == nil && state.browser != nil)
        _ = state.handle(.escape, now: 1048)
        #expect(state.browser == nil)
    }

    @Test func slashJumpsToATestIndex() throws {
        var state = try Self.running()
        for key: Key in [.character("/"), .character("1"), .character("x"), .character("2"), .enter] {
            _ = state.handle(key, now: 1048)
        }
        #expect(state.inspection.view == .forwardPass(.test(12)))
        #expect(state.inspection.label == Int(Fixtures.images().labels[12]))
        _ = state.handle(.left, now: 1048)
        #expect(state.inspection.testIndex == 11)
        // A test index beyond the test set is refused in one line; the view stays.
        for key: Key in [.character("/"), .character("9"), .character("9"), .enter] { _ = state.handle(key, now: 1049) }
        #expect(state.inspection.view == .forwardPass(.test(11)))
        #expect(state.message?.isError == true)
        #expect(state.message?.text.contains("no test image #99") == true)
        // Esc while typing cancels the typing only.
        _ = state.handle(.character("/"), now: 1050)
        #expect(Self.text(state).contains("test digit #_"))
        _ = state.handle(.escape, now: 1050)
        #expect(state.inspection.jumpText == nil && state.inspection.view != nil)
    }

    /// Acceptance 1: the screen shows the logits, softmax, p(label) and the loss of the digit,
    /// the very numbers of the forward pass (checked against plain loops in EngineTests).
    @Test func forwardPassScreenShowsTheComputation() throws {
        let state = try Self.running(keys: [.character("/"), .character("3"), .enter])
        let pass = try #require(state.inspection.pass)
        let label = try #require(state.inspection.label)
        let screen = Self.text(state)
        #expect(screen.contains("logits"))
        #expect(screen.contains("Forward pass · test #3 · label \(label)"))
        for c in 0..<10 {
            #expect(screen.contains(Format.c("%.3f", Double(pass.logits[c]))), "logit \(c)")
        }
        #expect(screen.contains("= " + Format.c("%.3f", Double(pass.probability(of: label)))))
        #expect(screen.contains("loss = -log p(\(label)) = " + Format.c("%.3f", Double(pass.loss(label: label)))))
        #expect(screen.contains("\(pass.hidden[0].filter { $0 > 0 }.count)/64 on"))
    }

    @Test func withoutWeightsTheViewsSaySo() throws {
        var state = Fixtures.running()
        state.watch = WatchStatus(text: "watching run.jsonl", waiting: false)
        _ = state.handle(.character("u"), now: 1047)
        #expect(state.wantsWeights(now: 1047))
        state.updateWeights(nil, now: 1047)
        #expect(Self.text(state).contains("weights are not available when watching a metrics file"))
        #expect(Self.text(state, 80, 24).contains("weights are not available when watching a metrics file"))
        #expect(!state.wantsWeights(now: 1047.5))
        #expect(state.wantsWeights(now: 1048.1), "tried again a second later")
        for key: Key in [.character("d"), .character(" ")] { _ = state.handle(key, now: 1049) }
        #expect(Self.text(state, 80, 24).contains("weights are not available"))
        _ = state.handle(.character("f"), now: 1049)
        #expect(Self.text(state, 80, 24).contains("weights are not available when watching a"))
    }

    // MARK: When weights are fetched

    @Test func weightsAreFetchedOnlyWhileAViewIsOpenAndAtMostFourTimesASecond() throws {
        var state = Fixtures.running()
        #expect(!state.wantsWeights(now: 1047))
        _ = state.handle(.character("f"), now: 1047)
        #expect(state.wantsWeights(now: 1047))
        let step = try #require(state.lastBatch?.step)
        let weights = try TrainedModel.weights()
        let current = try #require(ModelWeights(layout: weights.layout, parameters: weights.parameters, step: step))
        state.updateWeights(current, now: 1047)
        #expect(!state.wantsWeights(now: 1050), "nothing trained since: nothing to fetch")
        state.apply(.batch(Fixtures.batch(epoch: 4, batch: 118, lr: 0.1)), now: 1050)
        #expect(!state.wantsWeights(now: 1047.1))
        #expect(state.wantsWeights(now: 1047 + Inspection.refreshInterval))
        _ = state.handle(.escape, now: 1050)
        #expect(!state.wantsWeights(now: 1060))
    }

    @Test func theWeightsViewRefreshesOncePerEpoch() throws {
        var state = Fixtures.running()
        _ = state.handle(.character("u"), now: 1047)
        state.updateWeights(try TrainedModel.weights(), now: 1047)
        for b in 118...200 { state.apply(.batch(Fixtures.batch(epoch: 4, batch: b, lr: 0.1)), now: 1050) }
        #expect(!state.wantsWeights(now: 1100), "batches alone do not refresh it")
        state.apply(.epoch(Fixtures.epochMetrics(epoch: 4, images: Fixtures.images())), now: 1100)
        #expect(state.wantsWeights(now: 1100))
    }

    // MARK: u

    @Test func weightPagesAndSignsInMono() throws {
        var state = try Self.running(options: DisplayOptions(unicode: true, color: false), keys: [.character("u")])
        #expect(Self.text(state).contains("units 0-7 of 64 · epoch 3"))
        _ = state.handle(.right, now: 1048)
        #expect(Self.text(state).contains("units 8-15 of 64"))
        _ = state.handle(.left, now: 1048)
        _ = state.handle(.left, now: 1048)
        #expect(Self.text(state).contains("units 56-63 of 64"), "pages wrap around")
        // Positive and negative weights are told apart by glyph (no colour here) ...
        let screen = Self.text(state)
        #expect(screen.contains("█") && screen.contains("●"))
        // ... and by colour when there is colour.
        let colour = DashboardView.render(try Self.running(keys: [.character("u")]), width: 120, height: 40, now: 1047)
        let styles = { (glyph: Unicode.Scalar) in
            Set(colour.cells.filter { $0.character == glyph }.map(\.foreground))
        }
        #expect(!styles("█").isEmpty && styles("█").isDisjoint(with: styles("●")))
    }

    // MARK: Snapshots of every view

    static let sizes = [(120, 40), (80, 24)]

    static func snapshots(_ keys: [Key], named name: String) throws {
        for (width, height) in sizes {
            let state = try running(keys: keys)
            Snapshot.check(DashboardView.render(state, width: width, height: height, now: 1047),
                           named: "\(name)-\(width)x\(height)")
            let ascii = try running(options: DisplayOptions(unicode: false, color: false), keys: keys)
            let grid = DashboardView.render(ascii, width: width, height: height, now: 1047)
            #expect(grid.cells.allSatisfy { $0.character.isASCII })
            Snapshot.check(grid, named: "\(name)-ascii-\(width)x\(height)")
        }
    }

    @Test func forwardPassSnapshots() throws {
        try Self.snapshots([.character("m"), .character("f")], named: "forward")
    }

    @Test func drawSnapshots() throws {
        var keys: [Key] = [.character("d"), .up, .up, .up, .up, .up, .character(" ")]
        keys += Array(repeating: .down, count: 10) + [.character(" ")]
        try Self.snapshots(keys, named: "draw")
    }

    @Test func weightsSnapshots() throws {
        try Self.snapshots([.character("u")], named: "weights")
    }
}
