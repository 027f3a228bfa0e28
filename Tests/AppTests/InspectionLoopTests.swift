import Cells
import Testing
@testable import App
import Dashboard
import Engine

/// The inspection views (`f`, `/`, `d`, `u`) through the whole loop: the weights are asked of the
/// run only while a view is open, a few times a second at most, and reach the screen.
@MainActor
@Suite struct InspectionLoopTests {
    /// Weights for LoopFixtures' 784-32-10 network: small, fixed, not all alike.
    static let weights: ModelWeights = {
        let layout = ParameterLayout(layerSizes: LoopFixtures.info.layerSizes)!  // `!`: fixed, valid sizes
        let parameters = (0..<layout.count).map { Float(($0 * 7919) % 201 - 100) / 1000 }
        return ModelWeights(layout: layout, parameters: parameters)!  // `!`: layout.count floats
    }()

    /// Ten more batches after the first epoch, `seconds` of fake time apart.
    static func training(from step: Int, seconds: Double) -> [Step] {
        (step..<(step + 10)).flatMap { [Step.events([LoopFixtures.batch($0)]), .wait(seconds)] }
    }

    @Test("no view open: the weights are never asked for")
    func noViewNoFetch() async {
        let result = await LoopRun.play([.events(LoopFixtures.firstEpoch), .idle] + Self.training(from: 11, seconds: 0.3),
                                        weights: Self.weights)
        #expect(result.run.weightFetches == 0)
    }

    @Test("f during training: the forward pass with the run's weights, refreshed at most 4 times a second")
    func forwardPassDuringTraining() async throws {
        let open: [Step] = [.events(LoopFixtures.firstEpoch), .idle, .keys([.character("f")]), .idle]
            + Self.training(from: 11, seconds: 0.1)
        let result = await LoopRun.play(open, weights: Self.weights)
        let shown = try #require(result.screen.frames.last { $0.lines.joined().contains("Forward pass") })
        let text = shown.lines.joined(separator: "\n")
        #expect(text.contains("logits"))
        #expect(text.contains("loss = -log p("))
        // One at opening, then one per refresh interval at most while batches arrive.
        let elapsed = result.screen.clock.now() - 1000
        let fetches = result.run.weightFetches
        #expect(fetches >= 2 && Double(fetches) <= 1 + elapsed / Inspection.refreshInterval,
                "\(fetches) fetches in \(elapsed) s")

        // Closed, it asks no more, however long training goes on.
        let closed = await LoopRun.play(open + [.keys([.escape]), .idle] + Self.training(from: 21, seconds: 0.3),
                                        weights: Self.weights)
        #expect(closed.run.weightFetches == fetches)
        #expect(closed.state.inspection.view == nil)
    }

    @Test("/ then a test index and Enter shows that digit; d draws; u pages")
    func keysOfEveryView() async {
        let result = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle,
            .keys([.character("/"), .character("1"), .character("3"), .enter]), .idle,
            .keys([.character("d"), .character(" "), .down, .down, .down]), .idle,
            .keys([.character("u"), .right]), .idle,
        ], weights: Self.weights)
        let frames = result.screen.frames.map { $0.lines.joined(separator: "\n") }
        #expect(frames.contains { $0.contains("Forward pass · test #13 · label 3") })
        #expect(frames.contains { $0.contains("┌ Draw") && $0.contains("prediction ") })
        #expect(result.screen.lastText.contains("units 8-15 of 32"))
    }

    @Test("watching a file: the views say there are no weights")
    func watchingHasNoWeights() async {
        let result = await LoopRun.play([
            .events(LoopFixtures.firstEpoch), .idle, .keys([.character("u")]), .idle,
        ], weights: nil) { state in
            state.watch = WatchStatus(text: "watching run.jsonl", waiting: false)
        }
        #expect(result.screen.lastText.contains("weights are not available when watching a metrics file"))
    }
}
