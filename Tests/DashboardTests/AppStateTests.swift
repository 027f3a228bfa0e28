import Cells
import Testing
import Engine
import MNISTData
@testable import Dashboard

/// How the state reacts to training events and keys.
@Suite struct AppStateTests {
    static func fresh() -> AppState {
        AppState(info: Fixtures.info(), testImages: Fixtures.images(), options: DisplayOptions(), startTime: 0)
    }

    static func evaluated() -> AppState {
        Fixtures.state(fullEpochs: 1, extraBatches: 10)
    }

    // MARK: Pause and resume

    @Test func pauseAndResumeFollowTheRunState() {
        var state = Self.fresh()
        #expect(state.handle(.character("p"), now: 1) == [.pause])
        state.apply(.stateChanged(.paused), now: 2)
        #expect(state.runState == .paused)
        #expect(state.handle(.character("p"), now: 2) == [.resume])
        state.apply(.stateChanged(.running), now: 3)
        #expect(state.handle(.character(" "), now: 3) == [.pause])
    }

    /// Regression: a second press before the engine's answer arrived paused again (and the
    /// dashboard ended paused after an even number of presses).
    @Test func pauseTogglesBeforeTheEngineAnswers() {
        var state = Self.fresh()
        #expect(state.handle(.character("p"), now: 1) == [.pause])
        #expect(state.handle(.character(" "), now: 1) == [.resume])
        #expect(state.handle(.character("p"), now: 1) == [.pause])
        // Late answers to the first two presses do not undo the third.
        state.apply(.stateChanged(.paused), now: 2)
        state.apply(.stateChanged(.running), now: 2)
        #expect(state.handle(.character("p"), now: 2) == [.resume])
        state.apply(.stateChanged(.paused), now: 3)
        state.apply(.stateChanged(.running), now: 3)
        #expect(state.runState == .running)
        #expect(state.handle(.character("p"), now: 3) == [.pause])
        // A divergence pauses by itself: p resumes, whatever was asked before.
        state.apply(.stateChanged(.diverged(Divergence(epoch: 1, batch: 2, loss: .nan, learningRate: 0.2,
                                                       rolledBackToEpoch: 1))), now: 4)
        #expect(state.handle(.character("p"), now: 4) == [.resume])
    }

    @Test func doneIgnoresPauseAndLearningRateButStaysForBrowsing() {
        var state = Fixtures.done()
        #expect(state.runState == .done)
        #expect(state.handle(.character("p"), now: 5000).isEmpty)
        #expect(state.handle(.character("+"), now: 5000).isEmpty)
        #expect(state.handle(.character("m"), now: 5000).isEmpty)
        #expect(state.browser != nil)
        #expect(!state.wantsQuit)
    }

    /// Issue 13: after a divergence the header said "rolled back to epoch 1" but still showed the
    /// diverging batch's position; the position shown is the one training continues from.
    @Test func aRollbackMovesTheHeaderBackToTheEpochStart() {
        var state = Self.evaluated()
        let before = state.lastBatch?.batch ?? 0
        #expect(before > 0)
        let d = Divergence(epoch: state.lastBatch?.epoch ?? 1, batch: before, loss: .nan, learningRate: 500,
                           rolledBackToEpoch: 1)
        state.apply(.stateChanged(.diverged(d)), now: 10)
        let header = DashboardView.render(state, width: 120, height: 40, now: 10).lines[0]
        #expect(header.contains("epoch 1/"))
        #expect(header.contains("batch 0/"))
        #expect(state.lastBatch?.step == 0)
    }

    @Test func divergedShowsAndResumes() {
        var state = Self.evaluated()
        let d = Divergence(epoch: 2, batch: 10, loss: .nan, learningRate: 500, rolledBackToEpoch: 2)
        state.apply(.stateChanged(.diverged(d)), now: 10)
        #expect(state.learningRate == 500)
        #expect(state.handle(.character("-"), now: 10) == [.setLearningRate(250)])
        #expect(state.handle(.character("p"), now: 10) == [.resume])
        let screen = DashboardView.render(state, width: 80, height: 24, now: 10).lines.joined(separator: "\n")
        #expect(screen.contains("DIVERGED"))
        #expect(screen.contains("batch 10"))
        #expect(screen.contains("lr 500"))
    }

    @Test func stoppedFreezesElapsedTime() {
        var state = Self.fresh()
        state.apply(.stateChanged(.stopped), now: 65)
        let later = DashboardView.render(state, width: 80, height: 24, now: 500).lines[1]
        #expect(later.contains("elapsed 1:05"))
        #expect(DashboardView.render(state, width: 80, height: 24, now: 500).lines[0].contains("STOPPED"))
    }

    // MARK: Learning rate

    @Test func learningRateKeysUseTheFactorOfTwo() {
        var state = Self.fresh()
        #expect(state.handle(.character("+"), now: 0) == [.setLearningRate(0.4)])
        #expect(state.handle(.character("-"), now: 0) == [.setLearningRate(0.2)])
        #expect(state.handle(.character("-"), now: 0) == [.setLearningRate(0.1)])
        #expect(state.handle(.character("_"), now: 0) == [.setLearningRate(0.05)])
        #expect(state.handle(.character("="), now: 0) == [.setLearningRate(0.1)])
        state.apply(.learningRateChanged(from: 0.1, to: 0.0125, step: 7), now: 0)
        #expect(state.learningRate == 0.0125)
        #expect(state.learningRateChanges == [LearningRateChange(step: 7, from: 0.1, to: 0.0125)])
    }

    /// Regression: the engine's echo of an older request overwrote a newer one, so of twelve
    /// fast presses of `-` only about half counted.
    @Test func fastLearningRateKeysAreNotUndoneByLateEchoes() {
        var state = Self.fresh()
        #expect(state.handle(.character("-"), now: 0) == [.setLearningRate(0.1)])
        #expect(state.handle(.character("-"), now: 0) == [.setLearningRate(0.05)])
        state.apply(.learningRateChanged(from: 0.2, to: 0.1, step: 3), now: 0)
        #expect(state.learningRate == 0.05)
        #expect(state.handle(.character("-"), now: 0) == [.setLearningRate(0.025)])
        // The engine applies only the latest request it finds: 0.05 is skipped.
        state.apply(.learningRateChanged(from: 0.1, to: 0.025, step: 4), now: 0)
        #expect(state.learningRate == 0.025)
        #expect(state.learningRateChanges.map(\.to) == [0.1, 0.025])
        // With nothing pending, the engine's word stands.
        state.apply(.learningRateChanged(from: 0.025, to: 0.5, step: 9), now: 0)
        #expect(state.learningRate == 0.5)
    }

    @Test func aRateChosenBeforeTheDivergenceEventArrivesIsKept() {
        var state = Self.evaluated()
        let lr = state.learningRate
        #expect(state.handle(.character("-"), now: 10) == [.setLearningRate(lr / 2)])
        state.apply(.stateChanged(.diverged(Divergence(epoch: 2, batch: 3, loss: .nan, learningRate: lr,
                                                       rolledBackToEpoch: 2))), now: 10)
        #expect(state.learningRate == lr / 2)
    }

    @Test func learningRateStaysWithinItsBounds() {
        var state = Self.fresh()
        for _ in 0..<100 { _ = state.handle(.character("-"), now: 0) }
        #expect(state.learningRate == AppState.learningRateRange.lowerBound)
        #expect(state.handle(.character("-"), now: 0).isEmpty)
        for _ in 0..<100 { _ = state.handle(.character("+"), now: 0) }
        #expect(state.learningRate == AppState.learningRateRange.upperBound)
    }

    // MARK: Browser

    @Test func browserNeedsAnEvaluation() {
        var state = Self.fresh()
        #expect(state.handle(.character("m"), now: 0).isEmpty)
        #expect(state.browser == nil)
        #expect(state.message?.text.contains("first epoch") == true)
    }

    @Test func browserMovesAndWraps() throws {
        var state = Self.evaluated()
        _ = state.handle(.character("m"), now: 0)
        let browser = try #require(state.browser)
        let n = browser.items.count
        #expect(n == state.latest?.misclassified.count)
        #expect(n >= 3)
        #expect(browser.position == 0)
        _ = state.handle(.left, now: 0)
        #expect(state.browser?.position == n - 1)
        _ = state.handle(.right, now: 0)
        #expect(state.browser?.position == 0)
        _ = state.handle(.character("l"), now: 0)
        _ = state.handle(.character("l"), now: 0)
        #expect(state.browser?.position == 2)
        _ = state.handle(.character("h"), now: 0)
        #expect(state.browser?.position == 1)
        _ = state.handle(.end, now: 0)
        #expect(state.browser?.position == n - 1)
        _ = state.handle(.home, now: 0)
        #expect(state.browsedDigit == state.latest?.misclassified.first)
        _ = state.handle(.escape, now: 0)
        #expect(state.browser == nil)
    }

    @Test func browserKeepsPauseAndQuitKeys() {
        var state = Self.evaluated()
        _ = state.handle(.character("m"), now: 0)
        #expect(state.handle(.character("p"), now: 0) == [.pause])
        #expect(state.handle(.character("q"), now: 0) == [.quit])
        #expect(state.wantsQuit)
    }

    @Test func newEvaluationRefreshesTheOpenBrowser() {
        var state = Self.evaluated()
        _ = state.handle(.character("m"), now: 0)
        _ = state.handle(.end, now: 0)
        let images = state.testImages
        state.apply(.epoch(Fixtures.epochMetrics(epoch: 5, images: images)), now: 1)
        let fresh = state.latest?.misclassified.count ?? 0
        #expect(state.browser?.items.count == fresh)
        #expect((state.browser?.position ?? -1) < fresh)
    }

    // MARK: Confusion selection

    @Test func arrowsSelectACellAndClamp() {
        var state = Self.evaluated()
        _ = state.handle(.tab, now: 0)
        #expect(state.focus == .confusion)
        _ = state.handle(.up, now: 0)
        _ = state.handle(.left, now: 0)
        #expect(state.selection == MatrixCell(truth: 0, predicted: 0))
        for _ in 0..<15 { _ = state.handle(.down, now: 0) }
        for _ in 0..<15 { _ = state.handle(.right, now: 0) }
        #expect(state.selection == MatrixCell(truth: 9, predicted: 9))
        _ = state.handle(.tab, now: 0)
        #expect(state.focus == .none)
    }

    @Test func enterBrowsesExactlyTheSelectedCell() throws {
        var state = Self.evaluated()
        let latest = try #require(state.latest)
        let wrong = try #require(latest.misclassified.first)
        _ = state.handle(.character("c"), now: 0)
        for _ in 0..<wrong.label { _ = state.handle(.down, now: 0) }
        for _ in 0..<wrong.predicted { _ = state.handle(.right, now: 0) }
        _ = state.handle(.enter, now: 0)
        let browser = try #require(state.browser)
        #expect(browser.filter == MatrixCell(truth: wrong.label, predicted: wrong.predicted))
        let expected = latest.misclassified.filter { $0.label == wrong.label && $0.predicted == wrong.predicted }
        #expect(browser.items.map { latest.misclassified[$0] } == expected)
        #expect(!expected.isEmpty)
        for _ in 0..<expected.count {
            #expect(state.browsedDigit?.label == wrong.label)
            #expect(state.browsedDigit?.predicted == wrong.predicted)
            _ = state.handle(.right, now: 0)
        }
    }

    @Test func diagonalCellHasNoMisclassifiedDigits() {
        var state = Self.evaluated()
        _ = state.handle(.tab, now: 0)
        _ = state.handle(.enter, now: 0)
        #expect(state.browser?.items.isEmpty == true)
        #expect(state.browsedDigit == nil)
        let screen = DashboardView.render(state, width: 80, height: 24, now: 0).lines.joined()
        #expect(screen.contains("correct predictions"))
    }

    // MARK: Help, scale, save, quit

    @Test func helpOpensAndAnyKeyClosesItWithoutActing() {
        var state = Self.fresh()
        #expect(state.handle(.character("?"), now: 0).isEmpty)
        #expect(state.showHelp)
        #expect(state.handle(.character("p"), now: 0).isEmpty)
        #expect(!state.showHelp)
        _ = state.handle(.character("?"), now: 0)
        #expect(state.handle(.character("q"), now: 0) == [.quit])
    }

    @Test func logScaleToggles() {
        var state = Self.fresh()
        #expect(state.lossScale == .linear)
        _ = state.handle(.character("L"), now: 0)
        #expect(state.lossScale == .log)
        _ = state.handle(.character("L"), now: 0)
        #expect(state.lossScale == .linear)
    }

    @Test func saveAsksForACheckpointAndSaysWhere() {
        var state = Self.fresh()
        state.checkpointPath = "run.ckpt"
        #expect(state.handle(.character("s"), now: 3) == [.saveCheckpoint(path: "run.ckpt", thenQuit: false)])
        let keys = DashboardView.render(state, width: 80, height: 24, now: 4).lines[23]
        #expect(keys.contains("run.ckpt"))
        let later = DashboardView.render(state, width: 80, height: 24, now: 3 + AppState.messageSeconds + 1).lines[23]
        #expect(!later.contains("run.ckpt"))
    }

    @Test func quitSetsWantsQuit() {
        var state = Self.fresh()
        #expect(!state.wantsQuit)
        #expect(state.handle(.character("q"), now: 0) == [.quit])
        #expect(state.wantsQuit)
    }

    @Test func unknownKeysDoNothing() {
        var state = Self.evaluated()
        let before = DashboardView.render(state, width: 100, height: 30, now: 0)
        for key: Key in [.character("z"), .function(5), .pageUp, .backspace, .character("é")] {
            #expect(state.handle(key, now: 0).isEmpty)
        }
        #expect(DashboardView.render(state, width: 100, height: 30, now: 0) == before)
    }

    // MARK: Events

    @Test func eventsFillTheHistory() {
        let state = Fixtures.state(fullEpochs: 2, extraBatches: 5)
        #expect(state.losses.count == 2 * Fixtures.batchesPerEpoch + 5)
        #expect(state.epochs.map(\.summary.epoch) == [1, 2])
        #expect(state.epochs[1].endStep == 2 * Fixtures.batchesPerEpoch)
        #expect(state.lastBatch?.batch == 5)
        #expect(state.learningRate == 0.4)
        #expect(state.learningRateChanges.map(\.step) == [300])
    }

    @Test func reRunEpochReplacesItsFigures() {
        var state = Fixtures.state(fullEpochs: 3, extraBatches: 0)
        state.apply(.epoch(Fixtures.epochMetrics(epoch: 2, images: state.testImages)), now: 0)
        #expect(state.epochs.map(\.summary.epoch) == [1, 2])
    }
}

/// The compact per-batch loss store.
@Suite struct LossHistoryTests {
    @Test func recordsInOrderWithEMA() {
        var h = LossHistory()
        h.record(step: 1, loss: 2)
        h.record(step: 2, loss: 1)
        #expect(h.raw == [2, 1])
        #expect(h.smoothed[0] == 2)
        #expect(abs(h.smoothed[1] - (2 - LossHistory.smoothing)) < 1e-6)
        #expect(h.minimum == 1 && h.maximum == 2)
    }

    @Test func rollbackReplacesTheTail() {
        var h = LossHistory()
        for s in 1...10 { h.record(step: s, loss: Float(s)) }
        h.record(step: 4, loss: 0.5)
        #expect(h.count == 4)
        #expect(h.raw.last == 0.5)
        #expect(h.maximum == 3)
        #expect(h.minimum == 0.5)
    }

    @Test func gapsArePaddedAndNonFiniteIgnoredInRange() {
        var h = LossHistory()
        h.record(step: 5, loss: 1)
        h.record(step: 8, loss: .infinity)
        #expect(h.firstStep == 5)
        #expect(h.count == 4)
        #expect(h.raw[1].isNaN)
        #expect(h.maximum == 1)
    }
}

/// Number formatting.
@Suite struct FormatTests {
    @Test func learningRates() {
        #expect(Format.learningRate(0.2) == "0.2")
        #expect(Format.learningRate(0.0125) == "0.0125")
        #expect(Format.learningRate(0.00625) == "0.00625")
        #expect(Format.learningRate(1e-5) == "1e-05")
        #expect(Format.learningRate(500) == "500")
        #expect(Format.learningRate(.nan) == "nan")
    }

    @Test func durationsAndCounts() {
        #expect(Format.duration(65) == "1:05")
        #expect(Format.duration(3725) == "1:02:05")
        #expect(Format.duration(.nan) == "--:--")
        #expect(Format.count(952, width: 3) == "952")
        #expect(Format.count(1135, width: 3) == "1k")
        #expect(Format.rate(48_250) == "48k")
        #expect(Format.rate(1234) == "1.2k")
    }
}
