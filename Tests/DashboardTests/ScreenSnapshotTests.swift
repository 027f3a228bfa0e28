import Cells
import Testing
import Engine
@testable import Dashboard

/// Whole screens from fixed states, compared with recorded text snapshots.
@Suite struct ScreenSnapshotTests {
    static let running = Fixtures.running()

    @Test func running80x24() {
        Snapshot.check(DashboardView.render(Self.running, width: 80, height: 24, now: 1047), named: "running-80x24")
    }

    @Test func running120x40() {
        Snapshot.check(DashboardView.render(Self.running, width: 120, height: 40, now: 1047), named: "running-120x40")
    }

    @Test func runningASCII80x24() {
        let state = Fixtures.running(options: DisplayOptions(unicode: false, color: false))
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "running-ascii-80x24")
    }

    @Test func runningASCII120x40() {
        let state = Fixtures.running(options: DisplayOptions(unicode: false, color: true))
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "running-ascii-120x40")
    }

    @Test func done120x40() {
        let state = Fixtures.done()
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 2000), named: "done-120x40")
    }

    @Test func doneLogScale120x40() {
        var state = Fixtures.done()
        _ = state.handle(.character("L"), now: 2000)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 2000), named: "done-log-120x40")
    }

    @Test func browser80x24() {
        var state = Self.running
        _ = state.handle(.character("m"), now: 1047)
        _ = state.handle(.right, now: 1047)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "browser-80x24")
    }

    @Test func browser120x40() {
        var state = Self.running
        _ = state.handle(.character("m"), now: 1047)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "browser-120x40")
    }

    @Test func confusionFocus120x40() {
        var state = Self.running
        _ = state.handle(.tab, now: 1047)
        for key: Key in [.down, .down, .down, .down, .right, .right, .right, .right, .right, .right, .right, .right, .right] {
            _ = state.handle(key, now: 1047)
        }
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "confusion-focus-120x40")
    }

    @Test func help80x24() {
        var state = Self.running
        _ = state.handle(.character("?"), now: 1047)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "help-80x24")
    }

    @Test func diverged80x24() {
        var state = Self.running
        state.apply(.stateChanged(.diverged(Divergence(epoch: 4, batch: 117, loss: .infinity, learningRate: 500,
                                                       rolledBackToEpoch: 4))), now: 1047)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "diverged-80x24")
    }

    @Test func tooSmall30x8() {
        Snapshot.check(DashboardView.render(Self.running, width: 30, height: 8, now: 1047), named: "too-small-30x8")
    }
}
