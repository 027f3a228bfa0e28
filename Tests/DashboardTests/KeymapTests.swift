import Cells
import Testing
@testable import Dashboard

/// The keymap is the one table of keys: these keep it consistent.
@Suite struct KeymapTests {
    @Test func everyActionHasARow() {
        let bound = Set(Keymap.bindings.map(\.action))
        #expect(bound == Set(KeyAction.allCases))
    }

    @Test func noKeyIsBoundTwiceInOneMode() {
        for context in KeyContext.allCases {
            var seen: [Key: KeyAction] = [:]
            for binding in Keymap.bindings where binding.contexts.contains(context) {
                for key in binding.keys {
                    #expect(seen[key] == nil, "\(key) in \(context): \(seen[key].map { "\($0)" } ?? "") and \(binding.action)")
                    seen[key] = binding.action
                }
            }
        }
    }

    @Test func helpAndKeysLineComeFromTheTable() {
        let theme = Theme(DisplayOptions(unicode: true, color: false))
        let help = HelpOverlay.lines(theme: theme)
        #expect(help.count == Keymap.bindings.filter { $0.help != nil }.count)
        #expect(help.first?.0 == "p, space" && help.last?.0 == "q")
        let hints = KeysLine.keys(AppStateTests.fresh().keysLine, theme: theme).map(\.0)
        #expect(hints == ["p", "+/-", "m", "Tab", "f/d/u", "L", "s", "?", "q"])
    }
}
