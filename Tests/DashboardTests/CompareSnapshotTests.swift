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

/// What text snapshots cannot show: the runs' colours, and that without colour each run still has
/// its own glyph on its line and in the legend.
@Suite struct CompareStyleTests {
    /// The loss panel's rows of a render (the left column, between the status lines and the digits).
    static func chartCells(_ grid: CellGrid, width: Int, rows: Range<Int> = 2..<15) -> [Cell] {
        rows.flatMap { y in (0..<width).map { grid[$0, y] } }
    }

    @Test func eachRunHasItsColour() {
        let state = CompareFixtures.state(labels: CompareFixtures.longLabels, ghost: true)
        let grid = DashboardView.render(state, width: 120, height: 40, now: 1047)
        let braille = Self.chartCells(grid, width: 66).filter { (0x2801...0x28FF).contains($0.character.value) }
        let colours = Set(braille.map(\.foreground))
        // The focused run's batch dots (blue) and the four runs' and the ghost's lines.
        for colour: UInt8 in [4, 14, 11, 13, 10, 8] { #expect(colours.contains(.palette(colour)), "colour \(colour)") }
        // The legend's markers carry the runs' colours too.
        let markers = Self.chartCells(grid, width: 66, rows: 2..<21).filter { "◆●▲■○".unicodeScalars.contains($0.character) }
        #expect(Set(markers.map(\.foreground)).isSuperset(of: [.palette(14), .palette(11), .palette(13), .palette(10), .palette(8)]))
    }

    @Test func withoutColourTheMarkersTellRunsApart() {
        let state = CompareFixtures.state(labels: CompareFixtures.longLabels,
                                          options: DisplayOptions(unicode: true, color: false))
        let grid = DashboardView.render(state, width: 120, height: 40, now: 1047)
        #expect(grid.cells.allSatisfy { $0.foreground == .default })
        // Each run's marker rides on its line, not only in the legend (4 legend markers + more).
        let plot = Self.chartCells(grid, width: 66)
        for marker in "◆●▲■".unicodeScalars {
            #expect(plot.filter { $0.character == marker }.count >= 2, "\(marker) on its line")
        }
        // The focused run is bold, the others plain.
        let legend = grid.lines.first { $0.contains("◆1 base") } ?? ""
        #expect(!legend.isEmpty)
    }

    @Test func asciiLinesAreTheRunsLetters() {
        let state = CompareFixtures.state(labels: CompareFixtures.longLabels, ghost: true,
                                          options: DisplayOptions(unicode: false, color: false))
        let text = Self.chartCells(DashboardView.render(state, width: 120, height: 40, now: 1047), width: 66)
            .map { Character($0.character) }
        for letter in "1234a" { #expect(text.filter { $0 == letter }.count >= 3, "line of \(letter)") }
    }

    @Test func layersWithFourRunsNoColor120x40() {
        var state = CompareFixtures.state(labels: CompareFixtures.longLabels, diverging: 2, focus: 3,
                                          options: DisplayOptions(unicode: true, color: false))
        for k in 0..<5 { state.apply(.layerHealth(LayersPanelTests.health(k)), run: 3, now: 1047) }
        _ = state.handle(.character("w"), now: 1047)
        Snapshot.check(DashboardView.render(state, width: 120, height: 40, now: 1047), named: "layers-4-nocolor-120x40")
    }
}
