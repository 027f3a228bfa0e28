import Cells
import Dashboard
import Engine
import Foundation
import Testing
@testable import Terminal

/// The light palette on terminals with 16 or 8 colours, where `ColorMapping` folds each colour to
/// the nearest basic one: the ink must still read on white (xterm's basic colours).
@Suite @MainActor struct FewColorLightTests {
    static func screens() -> [(String, CellGrid)] {
        var state = AppState(info: LoopFixtures.info, testImages: LoopFixtures.images,
                             options: DisplayOptions(unicode: true, color: true, background: .light), startTime: 1000)
        for event in LoopFixtures.firstEpoch { state.apply(event, now: 1000) }
        var screens: [(String, CellGrid)] = []
        for (w, h) in [(120, 40), (80, 24)] {
            screens.append(("main \(w)x\(h)", DashboardView.render(state, width: w, height: h, now: 1001)))
            for keys in [[Key.character("m")], [.tab, .down], [.character("?")]] {
                var s = state
                for key in keys { _ = s.handle(key, now: 1001) }
                screens.append(("\(keys) \(w)x\(h)", DashboardView.render(s, width: w, height: h, now: 1001)))
            }
        }
        return screens
    }

    static func contrastOnWhite(basic index: Int) -> Double {
        let (r, g, b) = ColorMapping.basicRGB[index]
        func linear(_ c: Int) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 1.05 / (0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) + 0.05)
    }

    @Test("ink on the default background, folded to 16 and to 8 colours, contrasts with white", arguments: [16, 8])
    func folded(colorCount: Int) {
        var checked = 0
        for (name, grid) in Self.screens() {
            for cell in grid.cells where cell.background == .default && cell.character != " " {
                let ink = ColorMapping.foreground(cell.foreground, colorCount: colorCount)
                guard ink.color >= 0, !ink.dim else { continue }  // the terminal's own colour
                checked += 1
                #expect(Self.contrastOnWhite(basic: Int(ink.color)) >= 3,
                        "\(name): '\(cell.character)' \(cell.foreground) folds to \(ink.color)")
            }
        }
        #expect(checked > 100)
    }
}
