import Testing
import Engine
@testable import Dashboard

// Text that does not fit is left out or written short, never clipped into a wrong value.

// MARK: - Status line: a segment that does not fit whole is left out

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

// MARK: - Loss-chart y labels fit their five columns instead of being clipped into a wrong number

@Suite struct AxisLabelFitTests {
    @Test func shortScientificForm() {
        #expect(Format.scientific(0.00043, width: 5) == "4e-4")
        #expect(Format.scientific(0.00043, width: 6) == "4.3e-4")
        #expect(Format.scientific(123_456, width: 5) == "1.2e5")
        #expect(Format.scientific(1e-12, width: 5) == "1e-12")
        #expect(Format.scientific(1e-120, width: 5) == "--")
        #expect(Format.scientific(.infinity, width: 5) == "inf")
    }

    @Test func tinyLossesOnTheLogScaleKeepTheirValue() {
        var state = LossChartTests.state(losses: [2.3, 0.1, 0.01, 0.00043])
        _ = state.handle(.character("L"), now: 0)
        let grid = drawWidget(width: 16, height: 6) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[0].hasPrefix(" 2.30┤"))
        #expect(grid.lines[4].hasPrefix(" 4e-4┤"), "\(grid.lines[4])")   // was "0.000┤"
    }

    @Test func hugeLossesOnTheLinearScaleKeepTheirValue() {
        let state = LossChartTests.state(losses: [2.3, 40, 123_456, 5])
        let grid = drawWidget(width: 16, height: 6) { grid, rect, theme in
            LossChart.draw(state.lossChart, in: rect, grid: &grid, theme: theme)
        }
        #expect(grid.lines[0].hasPrefix("1.2e5┤"), "\(grid.lines[0])")   // was "12345┤"
        #expect(grid.lines[4].hasPrefix("    0┤"))
    }
}
