// The dashboard's look: which glyphs (Unicode or ASCII) and which colours (palette or attributes
// only). Widgets ask for a role, never for a raw colour, so monochrome and ASCII modes stay whole.
import Cells

/// What a run of cells means; the theme turns it into a style.
enum Role: Sendable {
    case normal, dim, bold, label, value
    case title, titleFocused, border, borderFocused
    case stateRunning, statePaused, stateDone, stateDiverged, stateStopped
    case progressDone, progressLeft
    case rawLoss, smoothLoss, testLoss, lrMark, axis
    case trainAccuracy, testAccuracy, best
    case correct, wrong, pixel, pending
    case key, message, warning
    case diagonal(Int), offDiagonal(Int), zero, selected
}

/// Glyph set: box drawing and blocks, or their ASCII stand-ins.
struct Glyphs: Sendable {
    let horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: Unicode.Scalar
    let barFull, barEmpty: Unicode.Scalar
    let axisCorner, axisTick, axisLeftTick: Unicode.Scalar
    let correctMark, wrongMark, arrow, best, testMarker, lrUp, lrDown, middleDot: Unicode.Scalar

    static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        barFull: "█", barEmpty: "░",
        axisCorner: "└", axisTick: "┴", axisLeftTick: "┤",
        correctMark: "✓", wrongMark: "✗", arrow: "→", best: "★", testMarker: "◆",
        lrUp: "↑", lrDown: "↓", middleDot: "·")

    static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        barFull: "#", barEmpty: ".",
        axisCorner: "+", axisTick: "+", axisLeftTick: "|",
        correctMark: "+", wrongMark: "x", arrow: ">", best: "*", testMarker: "o",
        lrUp: "^", lrDown: "v", middleDot: ".")
}

/// Styles and glyphs for one set of display options.
struct Theme: Sendable {
    let options: DisplayOptions
    let glyphs: Glyphs

    init(_ options: DisplayOptions) {
        self.options = options
        self.glyphs = options.unicode ? .unicode : .ascii
    }

    func style(_ role: Role) -> Style {
        options.color ? colorStyle(role, Palette.forBackground(options.background)) : monoStyle(role)
    }

    private func fg(_ c: UInt8, _ a: CellAttributes = []) -> Style {
        Style(foreground: .palette(c), attributes: a)
    }

    private func badge(_ c: UInt8) -> Style {
        Style(foreground: .palette(Palette.black), background: .palette(c), attributes: [.bold])
    }

    private func colorStyle(_ role: Role, _ p: Palette) -> Style {
        switch role {
        case .normal, .value: return .plain
        case .dim, .axis, .pending, .label, .border, .progressLeft, .zero: return fg(p.muted)
        case .bold: return Style(attributes: [.bold])
        case .title, .smoothLoss: return fg(p.heading, [.bold])
        case .message: return fg(p.heading)
        case .titleFocused, .borderFocused, .lrMark, .best, .key: return fg(p.accent, [.bold])
        case .stateRunning: return badge(Palette.running)
        case .statePaused: return badge(Palette.paused)
        case .stateDone: return badge(Palette.done)
        case .stateDiverged: return badge(Palette.diverged)
        case .stateStopped: return badge(Palette.stopped)
        case .progressDone: return fg(p.progress)
        case .rawLoss: return fg(p.rawLoss)
        case .testLoss: return fg(p.testLoss, [.bold])
        case .trainAccuracy: return fg(p.trainAccuracy)
        case .testAccuracy: return fg(p.testAccuracy)
        case .correct: return fg(p.correct)
        case .wrong: return fg(p.wrong, [.bold])
        case .pixel: return p.pixel.map { fg($0) } ?? .plain
        case .warning: return fg(p.warning, [.bold])
        case .selected: return Style(foreground: .palette(p.selectedText), background: .palette(p.selectedBackground),
                                     attributes: [.bold])
        case .diagonal(let level):
            return Style(foreground: .palette(p.cellText), background: .palette(Self.ramp(p.diagonalRamp, level)),
                         attributes: [.bold])
        case .offDiagonal(let level):
            return Style(foreground: .palette(p.cellText), background: .palette(Self.ramp(p.errorRamp, level)))
        }
    }

    private static func ramp(_ ramp: [UInt8], _ level: Int) -> UInt8 {
        ramp[min(max(level, 0), ramp.count - 1)]
    }

    /// Monochrome: meaning carried by bold, dim, reverse and underline alone.
    private func monoStyle(_ role: Role) -> Style {
        switch role {
        case .normal, .value, .pixel, .progressDone, .trainAccuracy, .correct, .message: return .plain
        case .dim, .axis, .pending, .label, .border, .progressLeft, .rawLoss, .zero: return Style(attributes: [.dim])
        case .bold, .title, .smoothLoss, .testAccuracy, .key, .lrMark: return Style(attributes: [.bold])
        case .titleFocused, .borderFocused, .best, .testLoss, .wrong, .warning:
            return Style(attributes: [.bold, .underline])
        case .stateRunning, .statePaused, .stateDone, .stateDiverged, .stateStopped, .selected:
            return Style(attributes: [.reverse, .bold])
        case .diagonal: return Style(attributes: [.bold, .underline])
        case .offDiagonal(let level): return Style(attributes: level >= 2 ? [.bold] : [])
        }
    }
}
