import Cells
import Testing
import Engine
@testable import Dashboard

/// The Layers panel (`w`): titled "Layers", rows named with "rms" and "dead", a value and a trend
/// per layer, a notice before the first figures; with 1 and 2 runs, 120x40 and 80x24, ASCII.
@Suite struct LayersPanelTests {
    /// Report `k` of a 3-layer net: weights growing, gradients shrinking, layer 2 half dead.
    static func health(_ k: Int) -> LayerHealth {
        LayerHealth(step: 10 * k, layers: (0..<3).map { layer in
            LayerFigures(weightRMS: 0.01 + 0.001 * Float(k + layer), gradientRMS: 0.02 / Float(k + 1),
                         updateRatio: 0.004 / Float(k + 1), activationMean: layer == 2 ? -0.25 : 0.3 + 0.01 * Float(k),
                         activationStd: 0.5 + 0.02 * Float(k), deadFraction: layer == 1 ? 0.55 : 0.02)
        })
    }

    static func withLayers(_ state: AppState, reports: Int, run: Int = 0) -> AppState {
        var state = state
        for k in 0..<reports { state.apply(.layerHealth(health(k)), run: run, now: 1047) }
        #expect(state.handle(.character("w"), now: 1047) == [.setLayerHealth(every: AppState.layerHealthEvery, run: state.focusedRun)])
        return state
    }

    @Test func oneRun120x40() {
        let state = Self.withLayers(Fixtures.running(), reports: 8)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "layers-120x40")
    }

    @Test func twoRunsFocused80x24ASCII() {
        let base = CompareFixtures.state(labels: CompareSnapshotTests.two, focus: 1,
                                         options: DisplayOptions(unicode: false, color: false))
        let state = Self.withLayers(base, reports: 8, run: 1)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "layers-2-ascii-80x24")
    }

    @Test func saysSoBeforeTheFirstFigures() {
        var state = Fixtures.running()
        _ = state.handle(.character("w"), now: 1047)
        let text = DashboardView.render(state, width: 80, height: 24, now: 1047).lines.joined(separator: "\n")
        #expect(text.contains("┌ Layers "))
        #expect(text.contains("no layer figures yet"))
        #expect(!text.contains("Digits"))
    }

    @Test func headersAndFigures() {
        let state = Self.withLayers(Fixtures.running(), reports: 3)
        let lines = DashboardView.render(state, width: 120, height: 40, now: 1047).lines
        let panel = lines.filter { $0.contains("rms") || $0.contains("dead") }
        #expect(panel.contains { $0.contains("w rms") } && panel.contains { $0.contains("grad rms") })
        // Layer 2 is 55% dead, shown as such; the latest weight rms of layer 1 is 0.01 + 0.002.
        #expect(panel.contains { $0.contains("dead") && $0.contains("55.0%") })
        #expect(panel.contains { $0.contains("w rms") && $0.contains("0.012") })
        #expect(lines.contains { $0.contains("784→512") && $0.contains("256→10") })
    }

    @Test func wAgainHidesAndStopsAsking() {
        var state = Self.withLayers(Fixtures.running(), reports: 1)
        #expect(state.handle(.character("w"), now: 1047) == [.setLayerHealth(every: nil, run: 0)])
        #expect(DashboardView.render(state, width: 80, height: 24, now: 1047).lines.contains { $0.contains("Digits") })
    }

    @Test func trends() {
        let theme = Theme(DisplayOptions())
        #expect(LayersPanel.trend([1, 2, 3], width: 3, theme: theme) == "▁▅█")
        #expect(LayersPanel.trend([1, 2, 3], width: 1, theme: theme) == "↑")
        #expect(LayersPanel.trend([3, 3, 3], width: 1, theme: theme) == "=")
        #expect(LayersPanel.trend([], width: 3, theme: theme) == "")
        #expect(LayersPanel.number(0.000123) == "1.2e-4")
        #expect(LayersPanel.number(0.0123) == "0.0123")
        #expect(LayersPanel.number(-0.25) == "-0.25")
    }
}
