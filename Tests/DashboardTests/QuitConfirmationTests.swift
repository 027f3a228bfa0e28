import Testing
import Engine
import MNISTData
@testable import Dashboard

/// `q` with `--save` asks before quitting; a resumed run's charts start from its history.
@Suite struct QuitConfirmationTests {
    static func saving() -> AppState {
        var state = AppStateTests.fresh()
        state.checkpointPath = "run.ckpt"
        state.confirmSaveOnQuit = true
        return state
    }

    @Test func withoutSaveQQuitsAtOnce() {
        var state = AppStateTests.fresh()
        #expect(state.handle(.character("q"), now: 1) == [.quit])
        #expect(state.wantsQuit)
    }

    @Test func qAsksThenYSavesAndQuits() {
        var state = Self.saving()
        #expect(state.handle(.character("q"), now: 1).isEmpty)
        #expect(state.confirmingQuit && !state.wantsQuit)
        #expect(state.message?.text == AppState.saveBeforeQuitPrompt)
        #expect(state.handle(.character("y"), now: 2) == [.saveCheckpoint, .quit])
        #expect(state.wantsQuit && !state.confirmingQuit)
        #expect(state.message?.text == "saving checkpoint to run.ckpt")
    }

    @Test func nQuitsWithoutSaving() {
        var state = Self.saving()
        _ = state.handle(.character("q"), now: 1)
        #expect(state.handle(.character("N"), now: 2) == [.quit])
        #expect(state.wantsQuit)
    }

    @Test func escapeCancelsAndOtherKeysKeepAsking() {
        var state = Self.saving()
        _ = state.handle(.character("q"), now: 1)
        // A stray key (even p or q) neither quits nor acts on the run: the question stays.
        #expect(state.handle(.character("p"), now: 2).isEmpty)
        #expect(state.handle(.character("q"), now: 3).isEmpty)
        #expect(state.confirmingQuit && !state.wantsQuit)
        #expect(state.message?.text == AppState.saveBeforeQuitPrompt && state.message?.time == 3)
        #expect(state.handle(.escape, now: 4).isEmpty)
        #expect(!state.confirmingQuit && !state.wantsQuit)
        #expect(state.handle(.character("p"), now: 5) == [.pause])
    }

    @Test func restoredHistoryFeedsTheCharts() {
        var state = AppStateTests.fresh()
        let summary = EpochSummary(epoch: 1, trainLoss: 0.5, trainAccuracy: 0.8, testLoss: 0.4,
                                   testAccuracy: 0.85, trainSeconds: 1, learningRate: 0.2)
        let point = EpochPoint(summary: summary, endStep: 3)
        state.restoreHistory(batchLosses: [2.3, 1.5, 0.9], epochs: [point],
                             learningRateChanges: [LearningRateChange(step: 2, from: 0.2, to: 0.1)])
        #expect(state.epochs == [point])
        #expect(state.learningRateChanges.count == 1)
        #expect(state.losses.count == 3)
    }
}
