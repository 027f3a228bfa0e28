import Cells

/// Maps the dashboard's 256-colour palette down to what the terminal has. Pure.
public enum ColorMapping {
    /// The terminal colour number for `color` on a terminal with `colorCount` colours, or -1 for
    /// the terminal's default colour (only valid after `use_default_colors`; the caller substitutes
    /// white/black otherwise). For foregrounds use `foreground(_:colorCount:)`, which keeps grey
    /// visible on 8 colours; a grey background may fold to black here (text on it still shows).
    public static func terminalColor(_ color: CellColor, colorCount: Int) -> Int32 {
        switch color {
        case .default:
            return -1
        case .palette(let index):
            let i = Int(index)
            if i < colorCount { return Int32(i) }
            let basic = i < 16 ? i : nearestBasic(i)
            // 8-colour terminals: bright variants fold onto their normal colour.
            return Int32(colorCount >= 16 ? basic : basic % 8)
        }
    }

    /// A foreground colour as the terminal shows it: a colour number (as `terminalColor`) and
    /// whether to draw it dim.
    public struct Foreground: Sendable, Equatable {
        public var color: Int32
        public var dim: Bool

        public init(color: Int32, dim: Bool) {
            self.color = color
            self.dim = dim
        }
    }

    /// The foreground for `color`. On an 8-colour terminal grey (bright black, palette 8, and the
    /// greys nearest it) has no colour of its own, and `% 8` would fold it onto black: borders and
    /// hints vanish on a dark background. It becomes the terminal's default colour, dimmed, which
    /// shows on dark and light backgrounds alike.
    public static func foreground(_ color: CellColor, colorCount: Int) -> Foreground {
        if colorCount < 16, case .palette(let index) = color, Int(index) >= colorCount,
           (index < 16 ? Int(index) : nearestBasic(Int(index))) == brightBlack {
            return Foreground(color: -1, dim: true)
        }
        return Foreground(color: terminalColor(color, colorCount: colorCount), dim: false)
    }

    /// ANSI colour 8, the grey that 8-colour terminals lack.
    private static let brightBlack = 8

    // MARK: 256 -> 16

    /// The nearest of the 16 ANSI colours to xterm palette entry `index` (16...255).
    static func nearestBasic(_ index: Int) -> Int {
        let (r, g, b) = rgb(index)
        var best = 0
        var bestDistance = Int.max
        for (candidate, value) in basicRGB.enumerated() {
            let d = (r - value.0) * (r - value.0) + (g - value.1) * (g - value.1) + (b - value.2) * (b - value.2)
            if d < bestDistance { bestDistance = d; best = candidate }
        }
        return best
    }

    /// RGB of xterm palette entry 16...255 (6x6x6 cube, then a 24-step grey ramp).
    static func rgb(_ index: Int) -> (Int, Int, Int) {
        if index >= 232 {
            let level = 8 + (index - 232) * 10
            return (level, level, level)
        }
        let cube = index - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[(cube / 36) % 6], steps[(cube / 6) % 6], steps[cube % 6])
    }

    /// xterm's defaults for the 16 ANSI colours.
    static let basicRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
}
