import Cells
import Testing
@testable import App
import Dashboard
import Engine

/// Several runs through the whole dashboard loop (issue 9): events tagged by run, keys 1-4 focus a
/// run, + and - reach the focused run only, p pauses and resumes all, w asks the focused run for
/// layer health and moves the request with the focus, one run's divergence leaves the others going.
@MainActor
@Suite struct CompareLoopTests {
    static let labels = ["base", "--init default", "--lr 500"]

    /// Each run's first epoch; run 2 (index 1) a little behind.
    static let start: [Step] = [
        .runEvents(0, LoopFixtures.firstEpoch), .runEvents(1, LoopFixtures.firstEpoch.dropLast(3)),
        .runEvents(2, LoopFixtures.firstEpoch), .idle,
    ]

    @Test("events land in their own run; keys 1-3 focus a run, 4 says there is none; the status line follows")
    func focusKeys() async {
        let result = await LoopRun.play(Self.start + [
            .keys([.character("2")]), .idle,
            .keys([.character("4")]), .idle,
        ], labels: Self.labels)
        #expect(result.state.runs.map(\.losses.count) == [10, 8, 10])
        #expect(result.state.focusedRun == 1)
        #expect(result.state.lastBatch?.step == 8, "the accessors read the focused run")
        let focused = result.screen.frames.last { $0.lines[0].contains("run 2/3") }
        #expect(focused != nil)
        #expect(result.screen.lastFrame.last?.contains("no run 4: runs are 1-3") == true)
        // Every label in the legend, whole.
        for label in Self.labels { #expect(result.screen.lastText.contains(label)) }
        #expect(result.run.calls.isEmpty)
    }

    @Test("+ and - change the focused run's rate only; p pauses all, p again resumes all")
    func perRunCommands() async {
        let result = await LoopRun.play(Self.start + [
            .keys([.character("3"), .character("-"), .character("-")]), .idle,
            .keys([.character("1"), .character("+")]), .idle,
            .keys([.character("p")]), .runEvents(0, [.stateChanged(.paused)]), .runEvents(1, [.stateChanged(.paused)]),
            .runEvents(2, [.stateChanged(.paused)]), .idle,
            .keys([.character("p")]), .idle,
        ], labels: Self.labels)
        #expect(result.run.calls == [.learningRate(0.1, run: 2), .learningRate(0.05, run: 2), .learningRate(0.4, run: 0),
                                     .pause, .resume])
        #expect(result.state.runs.map(\.rate.current) == [0.4, 0.2, 0.05])
    }

    @Test("w asks the focused run for layer health, moves the request with the focus, stops asking when hidden")
    func layersFollowFocus() async {
        let every = AppState.layerHealthEvery
        let health = LayerHealth(step: 10, layers: (0..<2).map { _ in
            LayerFigures(weightRMS: 0.05, gradientRMS: 0.01, updateRatio: 0.002, activationMean: 0.3, activationStd: 0.6,
                         deadFraction: 0.1)
        })
        let result = await LoopRun.play(Self.start + [
            .keys([.character("w")]), .idle,
            .keys([.character("2")]), .runEvents(1, [.layerHealth(health)]), .idle,
            .keys([.character("w")]), .idle,
        ], labels: Self.labels)
        #expect(result.run.calls == [.layerHealth(every: every, run: 0), .layerHealth(every: nil, run: 0),
                                     .layerHealth(every: every, run: 1), .layerHealth(every: nil, run: 1)])
        let waiting = result.screen.frames.first { $0.lines.joined().contains("no layer figures yet") }
        #expect(waiting != nil, "before the first figures the panel says so")
        let shown = result.screen.frames.first { frame in frame.lines.contains { $0.contains("Layers · run 2 · step 10") } }
        #expect(shown?.lines.contains { $0.hasPrefix("│w rms ") || $0.contains("│w rms") } == true)
        #expect(shown?.lines.contains { $0.contains("dead") && $0.contains("10.0%") } == true)
        #expect(result.screen.lastText.contains("Digits"))
    }

    @Test("one run diverges: DIVERGED in the legend whichever run is focused, the others keep training")
    func divergenceOfOne() async {
        let divergence = Divergence(epoch: 2, batch: 3, loss: .infinity, learningRate: 500, rolledBackToEpoch: 2)
        let result = await LoopRun.play(Self.start + [
            .runEvents(2, [LoopFixtures.batch(11), LoopFixtures.batch(12), .stateChanged(.diverged(divergence))]),
            .runEvents(0, (11...15).map { LoopFixtures.batch($0) }), .idle,
            .keys([.character("2")]), .idle,
        ], labels: Self.labels)
        let legend = result.screen.lastFrame.filter { $0.contains("--lr 500") }
        #expect(legend.contains { $0.contains("DIVERGED") })
        #expect(result.screen.lastFrame[0].contains("RUNNING"), "the focused run 2 is not the one that diverged")
        #expect(result.state.runs[0].runState == .running && result.state.runs[0].losses.count == 15)
        if case .diverged = result.state.runs[2].runState {} else { Issue.record("run 3 should be diverged") }
    }

    @Test("the browser follows the focused run's evaluation")
    func browserOnRun2() async {
        var second = LoopFixtures.firstEpoch
        second.removeLast()
        second.append(LoopFixtures.epoch(1))
        let result = await LoopRun.play([
            .runEvents(0, LoopFixtures.firstEpoch), .runEvents(1, second), .idle,
            .keys([.character("2"), .character("m")]), .idle,
            .keys([.character("1")]), .idle,
        ], labels: Array(Self.labels.prefix(2)))
        #expect(result.state.browser != nil && result.state.focusedRun == 0)
        #expect(result.screen.frames.contains { frame in frame.lines.joined().contains("Misclassified") && frame.lines[0].contains("run 2/2") })
    }

    @Test("four runs and a ghost at every size from 1x1 to 160x50: no trap, every label whole from 80x24 up")
    func everySize() async {
        let labels = ["base", "--init default", "--optimizer adam --lr 0.001", "--momentum 0.9"]
        var steps: [Step] = (0..<4).map { .runEvents($0, LoopFixtures.firstEpoch) } + [.idle]
        for height in stride(from: 1, through: 50, by: 3) {
            for width in stride(from: 1, through: 160, by: 7) { steps.append(.resize(width: width, height: height)) }
        }
        steps.append(.resize(width: 80, height: 24))
        let result = await LoopRun.play(steps, labels: labels) { state in
            var ghost = RunTrack(info: LoopFixtures.info, label: "old.jsonl", isGhost: true)
            for step in 1...10 { ghost.apply(LoopFixtures.batch(step), now: 0) }
            state.addGhost(ghost)
        }
        for frame in result.screen.frames { #expect(frame.cells.count == frame.width * frame.height) }
        let text = result.screen.lastText
        for label in labels + ["old.jsonl"] { #expect(text.contains(label), "\(label) at 80x24") }
    }
}
