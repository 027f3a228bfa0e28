import Cells
import Testing
@testable import Dashboard

/// A dashboard with nothing training behind it (`mnist-tui evaluate`): the steering keys say so
/// instead of asking anything of a run; looking around still works.
@Suite struct ReadOnlyTests {
    @Test func steeringKeysShowTheNoticeAndCommandNothing() {
        var state = AppStateTests.evaluated()
        state.readOnly = "nothing is training (read-only)"
        // The same keys on a live run command the trainer (the notice is what stops them).
        var live = AppStateTests.evaluated()
        for key in ["p", "+", "-", "s"] {
            #expect(!live.handle(.character(Character(key)), now: 1).isEmpty, "\(key) on a live run")
            #expect(state.handle(.character(Character(key)), now: 1).isEmpty, "\(key)")
            #expect(state.message?.text == "nothing is training (read-only)", "\(key)")
        }
        #expect(state.saveFailure == nil && state.pathEditor == nil)
        // Browsing and quitting act as ever.
        _ = state.handle(.character("m"), now: 2)
        #expect(state.browser != nil)
        #expect(state.handle(.character("q"), now: 3) == [.quit])
    }
}
