import Testing
import Dashboard
@testable import Terminal

/// On an 8-colour terminal (TERM=xterm) grey has no colour of its own: `% 8` folded it onto black,
/// and borders and hints vanished on a dark background (issue 13 item 9).
@Suite struct EightColorTests {
    @Test("grey (palette 8) on 8 colours: the default colour, dimmed; on 16 and 256 colours: itself")
    func greyFoldsToDimDefault() {
        #expect(ColorMapping.foreground(.palette(8), colorCount: 8) == .init(color: -1, dim: true))
        #expect(ColorMapping.foreground(.palette(8), colorCount: 16) == .init(color: 8, dim: false))
        #expect(ColorMapping.foreground(.palette(8), colorCount: 256) == .init(color: 8, dim: false))
    }

    @Test("mid greys of the 256 ramp never fold onto black on 8 colours")
    func midGreysStayVisible() {
        // 232 + k is grey level 8 + 10k; levels 68...188 are neither near black nor near white.
        for index in 238...250 {
            let folded = ColorMapping.foreground(.palette(UInt8(index)), colorCount: 8)
            #expect(folded != .init(color: 0, dim: false), "palette \(index) folds to black")
            #expect(folded.color != 0, "palette \(index) folds to black")
        }
    }

    @Test("real colours keep folding as before: bright red to red, default stays default")
    func coloursUnchanged() {
        #expect(ColorMapping.foreground(.palette(9), colorCount: 8) == .init(color: 1, dim: false))
        #expect(ColorMapping.foreground(.palette(196), colorCount: 8) == .init(color: 1, dim: false))
        #expect(ColorMapping.foreground(.default, colorCount: 8) == .init(color: -1, dim: false))
        #expect(ColorMapping.foreground(.palette(0), colorCount: 8) == .init(color: 0, dim: false))
    }
}
