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
        #expect(state.handle(.character("y"), now: 2) == [.saveCheckpoint(path: "run.ckpt", thenQuit: true)])
        #expect(!state.wantsQuit && !state.confirmingQuit)
        #expect(state.message?.text == "saving checkpoint to run.ckpt")
        // Only once the app reports the save done does the program end.
        #expect(state.finishSave(.saved(report: "checkpoint saved to run.ckpt (0 epochs done)"), path: "run.ckpt",
                                 thenQuit: true, now: 2) == [.quit])
        #expect(state.wantsQuit)
    }

    /// Issue 13, item 1: a failed save at the quit question used to end the program anyway (exit 0,
    /// no checkpoint, no message). Now the dashboard stays, the error stays on screen, `s` asks for
    /// another path, and `q`, `n` still quits without saving.
    @Test func aFailedSaveAtQuitKeepsTheDashboardOpen() {
        var state = Self.saving()
        _ = state.handle(.character("q"), now: 1)
        _ = state.handle(.character("y"), now: 2)
        let reason = "run.ckpt: cannot create a temporary file in .: No space left on device"
        #expect(state.finishSave(.failed(reason: reason), path: "run.ckpt", thenQuit: true, now: 2).isEmpty)
        #expect(!state.wantsQuit && !state.confirmingQuit)
        #expect(state.saveFailure == reason)
        // The error stays up (sticky), long after an ordinary note would have gone.
        let keys = DashboardView.render(state, width: 200, height: 40, now: 100).lines[39]
        #expect(keys.contains("No space left on device"))
        // s opens the path editor with the failed path; typing edits it; Enter saves there.
        #expect(state.handle(.character("s"), now: 3).isEmpty)
        #expect(state.pathEditor?.text == "run.ckpt")
        for _ in 0..<"run.ckpt".count { _ = state.handle(.backspace, now: 3) }
        for c in "/tmp/b.ckpt" { _ = state.handle(.character(c), now: 3) }
        #expect(DashboardView.render(state, width: 100, height: 30, now: 3).lines[29].contains("save to: /tmp/b.ckpt_"))
        #expect(state.handle(.enter, now: 4) == [.saveCheckpoint(path: "/tmp/b.ckpt", thenQuit: false)])
        #expect(state.finishSave(.saved(report: "checkpoint saved to /tmp/b.ckpt"), path: "/tmp/b.ckpt",
                                 thenQuit: false, now: 4).isEmpty)
        #expect(state.saveFailure == nil && state.checkpointPath == "/tmp/b.ckpt")
        // After another failure, q then n quits without saving.
        _ = state.finishSave(.failed(reason: reason), path: "/tmp/b.ckpt", thenQuit: false, now: 5)
        _ = state.handle(.character("q"), now: 6)
        #expect(state.handle(.character("n"), now: 7) == [.quit])
        #expect(state.wantsQuit)
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
