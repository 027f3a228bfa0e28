import Cells
import Testing
import Engine
@testable import Dashboard

/// Whole screens comparing runs (issue 9): the loss chart's lines and legend, the accuracy table,
/// with 2 and 4 runs, at 120x40 and 80x24, in colour, without colour and in ASCII.
@Suite struct CompareSnapshotTests {
    static let two = Array(CompareFixtures.longLabels.prefix(2))
    static let four = CompareFixtures.longLabels

    @Test func twoRuns120x40() {
        let state = CompareFixtures.state(labels: Self.two)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "compare-2-120x40")
    }

    @Test func twoRuns80x24() {
        let state = CompareFixtures.state(labels: Self.two, focus: 1)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "compare-2-80x24")
    }

    @Test func fourRunsOneDiverged120x40() {
        let state = CompareFixtures.state(labels: Self.four, diverging: 2, ghost: true)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "compare-4-120x40")
    }

    @Test func fourRunsOneDiverged80x24() {
        let state = CompareFixtures.state(labels: Self.four, diverging: 2)
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "compare-4-80x24")
    }

    @Test func fourRunsNoColor80x24() {
        let state = CompareFixtures.state(labels: Self.four, diverging: 2, options: DisplayOptions(unicode: true, color: false))
        Snapshot.check(DashboardView.render(state, width: 80, height: 24, now: 1047), named: "compare-4-nocolor-80x24")
    }

    @Test func fourRunsASCII120x40() {
        let state = CompareFixtures.state(labels: Self.four, diverging: 2, ghost: true,
                                          options: DisplayOptions(unicode: false, color: false))
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "compare-4-ascii-120x40")
    }
}
