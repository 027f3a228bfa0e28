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

    // MARK: Palette (xterm-256 indices; 0-15 keep their meaning on 8/16-colour terminals)
    private static let green: UInt8 = 2, yellow: UInt8 = 3, blue: UInt8 = 4, red: UInt8 = 1
    private static let magenta: UInt8 = 5, cyan: UInt8 = 6, gray: UInt8 = 8, white: UInt8 = 15
    private static let black: UInt8 = 0, brightCyan: UInt8 = 14, brightYellow: UInt8 = 11
    private static let brightGreen: UInt8 = 10, brightRed: UInt8 = 9, brightMagenta: UInt8 = 13
    /// Shading ramps for the confusion matrix, light to strong.
    private static let greenRamp: [UInt8] = [22, 28, 34, 40, 46]
    private static let redRamp: [UInt8] = [52, 88, 124, 160, 196]

    func style(_ role: Role) -> Style {
        options.color ? colorStyle(role) : monoStyle(role)
    }

    private func fg(_ c: UInt8, _ a: CellAttributes = []) -> Style {
        Style(foreground: .palette(c), attributes: a)
    }

    private func badge(_ c: UInt8) -> Style {
        Style(foreground: .palette(Self.black), background: .palette(c), attributes: [.bold])
    }

    private func colorStyle(_ role: Role) -> Style {
        switch role {
        case .normal, .value: return .plain
        case .dim, .axis, .pending: return fg(Self.gray)
        case .bold: return Style(attributes: [.bold])
        case .label: return fg(Self.gray)
        case .title: return fg(Self.brightCyan, [.bold])
        case .titleFocused: return fg(Self.brightYellow, [.bold])
        case .border: return fg(Self.gray)
        case .borderFocused: return fg(Self.brightYellow, [.bold])
        case .stateRunning: return badge(Self.green)
        case .statePaused: return badge(Self.yellow)
        case .stateDone: return badge(Self.blue)
        case .stateDiverged: return badge(Self.brightRed)
        case .stateStopped: return badge(Self.magenta)
        case .progressDone: return fg(Self.green)
        case .progressLeft: return fg(Self.gray)
        case .rawLoss: return fg(Self.blue)
        case .smoothLoss: return fg(Self.brightCyan, [.bold])
        case .testLoss: return fg(Self.brightMagenta, [.bold])
        case .lrMark: return fg(Self.brightYellow, [.bold])
        case .trainAccuracy: return fg(Self.cyan)
        case .testAccuracy: return fg(Self.brightGreen)
        case .best: return fg(Self.brightYellow, [.bold])
        case .correct: return fg(Self.brightGreen)
        case .wrong: return fg(Self.brightRed, [.bold])
        case .pixel: return fg(Self.white)
        case .key: return fg(Self.brightYellow, [.bold])
        case .message: return fg(Self.brightCyan)
        case .warning: return fg(Self.brightRed, [.bold])
        case .zero: return fg(Self.gray)
        case .selected: return Style(foreground: .palette(Self.black), background: .palette(Self.brightYellow),
                                     attributes: [.bold])
        case .diagonal(let level):
            return Style(foreground: .palette(Self.white), background: .palette(Self.ramp(Self.greenRamp, level)),
                         attributes: [.bold])
        case .offDiagonal(let level):
            return Style(foreground: .palette(Self.white), background: .palette(Self.ramp(Self.redRamp, level)))
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
