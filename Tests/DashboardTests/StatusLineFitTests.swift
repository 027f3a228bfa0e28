import Testing
import Engine
@testable import Dashboard

// The status lines never cut a value: a segment that does not fit whole is left out.

@Suite struct StatusLineFitTests {
    /// Diverged at lr 500, then lowered to 250 (as `-` does): the line has no room for "lr now 250".
    static func divergedThenLowered() -> AppState {
        var state = Fixtures.state(fullEpochs: 3, extraBatches: 117)
        let d = Divergence(epoch: 4, batch: 117, loss: .infinity, learningRate: 500, rolledBackToEpoch: 4)
        state.apply(.stateChanged(.diverged(d)), now: 1046)
        state.apply(.learningRateChanged(from: 500, to: 250, step: 900), now: 1046)
        return state
    }

    @Test func aValueThatDoesNotFitIsLeftOutNotCut() {
        let state = Self.divergedThenLowered()
        let narrow = DashboardView.render(state, width: 80, height: 24, now: 1047).lines[1]
        #expect(narrow.hasPrefix("diverged at epoch 4 batch 117 (loss inf, lr 500), rolled back to epoch 4"))
        #expect(!narrow.contains("lr now"), "\(narrow)")   // was "lr now 2": a wrong learning rate
        let wide = DashboardView.render(state, width: 120, height: 40, now: 1047).lines[1]
        #expect(wide.contains("  lr now 250  - lowers lr, p resumes"), "\(wide)")
    }
}
