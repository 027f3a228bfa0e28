import Cells
import Engine

// How runs are told apart wherever they are drawn together (loss chart, legend, accuracy table):
// each has a colour AND a marker, so monochrome (NO_COLOR) and ASCII screens keep them apart too.
// Live runs are 1-4 (the base run first); ghosts (`--compare-with`) are a, b, c..., dimmed.

/// One run's place among the runs drawn together.
struct RunMark: Sendable, Equatable {
    /// 0-based among live runs, or among ghosts.
    var index: Int
    var isGhost: Bool
    /// The focused run draws on top and in bold.
    var focused = false

    /// Live runs: cyan, yellow, magenta, green (0-15, so 8/16-colour terminals keep them apart);
    /// ghosts: greys.
    private static let colors: [UInt8] = [14, 11, 13, 10]
    private static let ghostColors: [UInt8] = [8, 7]
    private static let markers: [Unicode.Scalar] = ["◆", "●", "▲", "■"]
    private static let ghostMarkers: [Unicode.Scalar] = ["○", "◇", "△", "□"]

    /// The run's name in one character: 1-4, or a-z for ghosts (the ASCII marker).
    var letter: Unicode.Scalar {
        isGhost ? Unicode.Scalar(UInt8(97 + index % 26)) : Unicode.Scalar(UInt8(49 + index % 9))
    }

    /// The glyph of the run's test-loss points and line labels.
    func marker(_ theme: Theme) -> Unicode.Scalar {
        guard theme.options.unicode else { return letter }
        let list = isGhost ? Self.ghostMarkers : Self.markers
        return list[index % list.count]
    }

    /// The legend's name for the run: "◆1", "○a"; in ASCII just "1", "a" (the line's own glyph).
    func tag(_ theme: Theme) -> String {
        theme.options.unicode ? String(marker(theme)) + String(letter) : String(letter)
    }

    /// The run's line and marks: its colour, bold when focused, dim for ghosts; without colour,
    /// bold (focused), plain (others) or dim (ghosts).
    func style(_ theme: Theme) -> Style {
        var attributes: CellAttributes = focused ? [.bold] : []
        if isGhost { attributes.insert(.dim) }
        guard theme.options.color else { return Style(attributes: attributes) }
        let list = isGhost ? Self.ghostColors : Self.colors
        return Style(foreground: .palette(list[index % list.count]), attributes: attributes)
    }
}

/// One run's curves, as the loss chart and its legend draw them.
struct LossSeries: Sendable {
    var mark: RunMark
    var label: String
    var losses: LossHistory
    var epochs: [EpochPoint]
    var divergences: [Divergence]
    var batchesPerEpoch: Int
    /// The run is paused on a divergence now (the legend says DIVERGED).
    var diverged: Bool
    /// Unfinished last lines skipped in a ghost's file.
    var partialLinesSkipped: Int
}

extension AppState {
    /// Every run's curves, ghosts first (drawn below), the focused run last (drawn on top).
    var lossSeries: [LossSeries] {
        func series(_ run: RunTrack, _ mark: RunMark) -> LossSeries {
            LossSeries(mark: mark, label: run.label, losses: run.losses, epochs: run.epochs, divergences: run.divergences,
                       batchesPerEpoch: run.batchesPerEpoch, diverged: run.hasDiverged,
                       partialLinesSkipped: run.partialLinesSkipped)
        }
        let ghostSeries = ghosts.enumerated().map { series($1, RunMark(index: $0, isGhost: true)) }
        let live = runs.enumerated().map { series($1, RunMark(index: $0, isGhost: false, focused: $0 == focusedRun)) }
        return ghostSeries + live.filter { !$0.mark.focused } + live.filter(\.mark.focused)
    }
}
