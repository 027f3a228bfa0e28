import Cells
import Foundation
import Testing
import Engine
@testable import Dashboard

// The two palettes, checked on whole rendered screens: no light ink on a light background, and no
// meaning carried by red against green. Colours are judged by their xterm RGB values, computed
// here independently of the app (`Xterm`).

/// xterm's RGB for palette indices, and what the tests measure of a colour.
enum Xterm {
    static let basic: [(Double, Double, Double)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// RGB, each 0...1.
    static func rgb(_ index: UInt8) -> (Double, Double, Double) {
        let i = Int(index)
        let (r, g, b): (Double, Double, Double)
        if i < 16 {
            (r, g, b) = basic[i]
        } else if i >= 232 {
            let level = Double(8 + (i - 232) * 10)
            (r, g, b) = (level, level, level)
        } else {
            let steps: [Double] = [0, 95, 135, 175, 215, 255]
            (r, g, b) = (steps[(i - 16) / 36], steps[(i - 16) / 6 % 6], steps[(i - 16) % 6])
        }
        return (r / 255, g / 255, b / 255)
    }

    static func linear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }

    /// Relative luminance (WCAG).
    static func luminance(_ index: UInt8) -> Double {
        let (r, g, b) = rgb(index)
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// Contrast ratio against white (WCAG: 3 is the minimum for large text and graphics).
    static func contrastOnWhite(_ index: UInt8) -> Double { 1.05 / (luminance(index) + 0.05) }

    /// Hue in degrees and saturation (HSV) of a palette colour.
    static func hue(_ index: UInt8) -> (degrees: Double, saturation: Double) {
        let (r, g, b) = rgb(index)
        let high = max(r, g, b), low = min(r, g, b), span = high - low
        guard span > 0 else { return (0, 0) }
        var h: Double
        if high == r { h = (g - b) / span } else if high == g { h = 2 + (b - r) / span } else { h = 4 + (r - g) / span }
        h *= 60
        if h < 0 { h += 360 }
        return (h, span / high)
    }

    static func isRed(_ index: UInt8) -> Bool {
        let (h, s) = hue(index)
        return s >= 0.5 && (h < 15 || h >= 345)
    }

    static func isGreen(_ index: UInt8) -> Bool {
        let (h, s) = hue(index)
        return s >= 0.5 && (80...160).contains(h)
    }

    // MARK: Red-green colour blindness (Viénot, Brettel & Mollon 1999, on linear RGB)

    static let protanopia: [[Double]] = [[0.11238, 0.88762, 0], [0.11238, 0.88762, 0], [0.00401, -0.00401, 1]]
    static let deuteranopia: [[Double]] = [[0.29275, 0.70725, 0], [0.29275, 0.70725, 0], [-0.02234, 0.02234, 1]]
    static let normalVision: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]

    /// CIELAB of a palette colour as seen with `vision`.
    static func lab(_ index: UInt8, vision: [[Double]]) -> (Double, Double, Double) {
        let (r, g, b) = rgb(index)
        let l = [linear(r), linear(g), linear(b)]
        let seen = vision.map { row in min(1, max(0, zip(row, l).reduce(0) { $0 + $1.0 * $1.1 })) }
        let x = (0.4124 * seen[0] + 0.3576 * seen[1] + 0.1805 * seen[2]) / 0.95047
        let y = 0.2126 * seen[0] + 0.7152 * seen[1] + 0.0722 * seen[2]
        let z = (0.0193 * seen[0] + 0.1192 * seen[1] + 0.9505 * seen[2]) / 1.08883
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// How different two colours look with `vision` (CIE76 ΔE; about 2 is just noticeable).
    static func difference(_ a: UInt8, _ b: UInt8, vision: [[Double]]) -> Double {
        let (l1, a1, b1) = lab(a, vision: vision), (l2, a2, b2) = lab(b, vision: vision)
        return ((l1 - l2) * (l1 - l2) + (a1 - a2) * (a1 - a2) + (b1 - b2) * (b1 - b2)).squareRoot()
    }
}

/// The screens the tests look at, in one theme.
@MainActor
enum ThemeScreens {
    static func all(_ background: BackgroundTone) -> [(String, CellGrid)] {
        let options = DisplayOptions(unicode: true, color: true, background: background)
        let running = Fixtures.running(options: options)
        var screens: [(String, CellGrid)] = []
        for (w, h) in [(120, 40), (80, 24)] {
            screens.append(("running \(w)x\(h)", DashboardView.render(running, width: w, height: h, now: 1047)))
            var browser = running
            _ = browser.handle(.character("m"), now: 1047)
            screens.append(("browser \(w)x\(h)", DashboardView.render(browser, width: w, height: h, now: 1047)))
            var focused = running
            _ = focused.handle(.tab, now: 1047)
            _ = focused.handle(.down, now: 1047)
            screens.append(("confusion \(w)x\(h)", DashboardView.render(focused, width: w, height: h, now: 1047)))
            var help = running
            _ = help.handle(.character("?"), now: 1047)
            screens.append(("help \(w)x\(h)", DashboardView.render(help, width: w, height: h, now: 1047)))
            var failed = running
            _ = failed.finishSave(.failed(reason: "run.ckpt: No space left on device"), path: nil, thenQuit: false, now: 1047)
            screens.append(("save failed \(w)x\(h)", DashboardView.render(failed, width: w, height: h, now: 1047)))
        }
        let done = Fixtures.done(options: options)
        screens.append(("done 120x40", DashboardView.render(done, width: 120, height: 40, now: 2000)))
        var diverged = running
        diverged.apply(.stateChanged(.diverged(Divergence(epoch: 4, batch: 117, loss: .infinity, learningRate: 500,
                                                          rolledBackToEpoch: 4))), now: 1047)
        screens.append(("diverged 80x24", DashboardView.render(diverged, width: 80, height: 24, now: 1047)))
        screens.append(("too small", DashboardView.render(running, width: 30, height: 8, now: 1047)))
        return screens
    }
}

@Suite @MainActor struct LightThemeTests {
    @Test("light theme: every cell's ink on the default background contrasts with white (no white, bright yellow or bright cyan)")
    func noLightInk() {
        var checked = 0
        for (name, grid) in ThemeScreens.all(.light) {
            for y in 0..<grid.height {
                for x in 0..<grid.width {
                    let cell = grid[x, y]
                    guard cell.background == .default, cell.character != " ",
                          case .palette(let index) = cell.foreground else { continue }
                    checked += 1
                    #expect(Xterm.contrastOnWhite(index) >= 3,
                            "\(name): '\(cell.character)' at (\(x), \(y)) in palette \(index), contrast \(Xterm.contrastOnWhite(index))")
                }
            }
        }
        #expect(checked > 1000, "the screens hold coloured ink to check")
    }

    @Test("the dark theme, by the same measure, does draw light ink (so the check above can fail)")
    func darkThemeWouldFail() {
        let light = ThemeScreens.all(.dark).contains { _, grid in
            grid.cells.contains { cell in
                guard cell.background == .default, case .palette(let index) = cell.foreground else { return false }
                return Xterm.contrastOnWhite(index) < 3
            }
        }
        #expect(light)
    }

    @Test("light theme: the digits are drawn in the terminal's own text colour, titles in a dark colour")
    func digitsAndTitles() throws {
        let options = DisplayOptions(unicode: true, color: true, background: .light)
        let state = Fixtures.running(options: options)
        var panel = CellGrid(width: 60, height: 16)
        DigitsPanel.draw(state.digitsPanel, in: Rect(x: 0, y: 0, width: 60, height: 16), grid: &panel, theme: Theme(options))
        let ink = panel.cells.filter { "▀▄█".unicodeScalars.contains($0.character) }
        #expect(ink.count > 50)
        #expect(ink.allSatisfy { $0.foreground == .default && $0.background == .default })
        let grid = DashboardView.render(state, width: 120, height: 40, now: 1047)
        // The title "Loss" in the loss panel's top border (row 2, under the status bar).
        let row = Array(grid.lines[2].unicodeScalars)
        let x = try #require((0..<(row.count - 3)).first { String(String.UnicodeScalarView(row[$0..<($0 + 4)])) == "Loss" })
        let title = grid[x, 2]
        #expect(title.foreground != .default && title.attributes.contains(.bold))
        guard case .palette(let index) = title.foreground else { return }
        #expect(Xterm.contrastOnWhite(index) >= 4.5, "titles readable on white: palette \(index)")
    }

    @Test("the dark theme keeps its look: white digits, bright cyan titles, bright yellow keys")
    func darkUnchanged() {
        let theme = Theme(DisplayOptions(unicode: true, color: true, background: .dark))
        #expect(theme.style(.pixel).foreground == .palette(15))
        #expect(theme.style(.title) == Style(foreground: .palette(14), attributes: [.bold]))
        #expect(theme.style(.key) == Style(foreground: .palette(11), attributes: [.bold]))
        #expect(theme.style(.selected).background == .palette(11))
    }

    @Test("monochrome ignores the background: the same cells either way")
    func monochrome() {
        let dark = DashboardView.render(Fixtures.running(options: DisplayOptions(unicode: true, color: false, background: .dark)),
                                        width: 120, height: 40, now: 1047)
        let light = DashboardView.render(Fixtures.running(options: DisplayOptions(unicode: true, color: false, background: .light)),
                                         width: 120, height: 40, now: 1047)
        #expect(dark == light)
    }
}

@Suite @MainActor struct ColorBlindTests {
    @Test("no screen, in either theme, holds red and green side by side (as ink on one background, or as backgrounds)",
          arguments: BackgroundTone.allCases)
    func noRedBesideGreen(background: BackgroundTone) {
        for (name, grid) in ThemeScreens.all(background) {
            var inks: [CellColor: Set<UInt8>] = [:]
            var backgrounds: Set<UInt8> = []
            for cell in grid.cells where cell.character != " " || cell.background != .default {
                if case .palette(let index) = cell.foreground { inks[cell.background, default: []].insert(index) }
                if case .palette(let index) = cell.background { backgrounds.insert(index) }
            }
            for (under, colors) in inks {
                let red = colors.filter(Xterm.isRed), green = colors.filter(Xterm.isGreen)
                #expect(red.isEmpty || green.isEmpty, "\(name): red ink \(red) beside green ink \(green) on \(under)")
            }
            let red = backgrounds.filter(Xterm.isRed), green = backgrounds.filter(Xterm.isGreen)
            #expect(red.isEmpty || green.isEmpty, "\(name): red backgrounds \(red) beside green ones \(green)")
        }
    }

    /// The colours of two roles that mean right and wrong: foreground, and background if any.
    static func colors(_ style: Style) -> [UInt8] {
        [style.foreground, style.background].compactMap { color in
            if case .palette(let index) = color { return index }
            return nil
        }
    }

    @Test("right and wrong stay far apart for protanopes and deuteranopes: marks, and every shade of the matrix",
          arguments: BackgroundTone.allCases)
    func rightAndWrongApart(background: BackgroundTone) {
        let theme = Theme(DisplayOptions(unicode: true, color: true, background: background))
        let pairs: [(Role, Role)] = [(.correct, .wrong)] + (0...4).map { (.diagonal($0), .offDiagonal($0)) }
        for (right, wrong) in pairs {
            let a = theme.style(right), b = theme.style(wrong)
            // The colour that tells them apart: the background for matrix cells, else the ink.
            let (ca, cb): (CellColor, CellColor) = a.background == .default ? (a.foreground, b.foreground) : (a.background, b.background)
            guard case .palette(let x) = ca, case .palette(let y) = cb else {
                Issue.record("\(right) / \(wrong): no palette colours")
                continue
            }
            for (vision, name) in [(Xterm.normalVision, "normal"), (Xterm.protanopia, "protanopia"), (Xterm.deuteranopia, "deuteranopia")] {
                let difference = Xterm.difference(x, y, vision: vision)
                #expect(difference >= 40, "\(right) \(x) vs \(wrong) \(y) with \(name): ΔE \(difference)")
            }
        }
    }

    @Test("the old green/red scheme fails that measure for deuteranopes (the check can fail)")
    func oldSchemeFails() {
        #expect(Xterm.difference(10, 9, vision: Xterm.deuteranopia) < 40)  // bright green vs bright red
        #expect(Xterm.difference(46, 196, vision: Xterm.deuteranopia) < 40)  // the old matrix's strongest shades
        #expect(Xterm.isRed(9) && Xterm.isGreen(10) && !Xterm.isRed(208) && !Xterm.isGreen(75))
    }

    @Test("right and wrong differ in shape too: ✓ and ✗ in the digits panel captions")
    func marks() {
        let grid = DashboardView.render(Fixtures.running(), width: 120, height: 40, now: 1047)
        let text = grid.lines.joined(separator: "\n")
        #expect(text.contains("✓") && text.contains("✗"))
    }
}
