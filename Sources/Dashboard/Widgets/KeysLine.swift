// The bottom line: the keys that matter now, or a recent message.
import Cells

enum KeysLine {
    static func keys(_ state: AppState, theme: Theme) -> [(String, String)] {
        let arrows = theme.options.unicode ? "←→" : "<>"
        if state.browser != nil {
            return [(arrows + "/hl", "next"), ("Home/End", "first/last"), ("Esc", "close"), ("?", "help"), ("q", "quit")]
        }
        if state.focus == .confusion {
            return [("arrows", "select"), ("Enter", "browse cell"), ("Tab/Esc", "leave"), ("?", "help"), ("q", "quit")]
        }
        let pause: String
        switch state.runState {
        case .running: pause = "pause"
        case .done, .stopped: pause = "(ended)"
        default: pause = "resume"
        }
        let factor = Format.learningRate(AppState.learningRateFactor)
        let lr = theme.options.unicode ? "lr ×\(factor)/÷\(factor)" : "lr *\(factor) /\(factor)"
        return [("p", pause), ("+/-", lr), ("m", "misclassified"), ("Tab", "confusion"),
                ("L", state.lossScale == .linear ? "log" : "linear"), ("s", "save"), ("?", "help"), ("q", "quit")]
    }

    /// Columns kept free between the last key hint and a message.
    static let messageGap = 2

    /// Keys whose hints go first when the line is short, most expendable first; a key not listed
    /// goes after them, from the right. `m` outlives `+/-` because the browser is the one thing
    /// the matrix and digits panels point to and it has no other hint on screen. Once the run has
    /// ended, `+/-` and `p` do nothing (AppState ignores them), so they go first.
    static func dropOrder(_ state: AppState) -> [String] {
        switch state.runState {
        case .done, .stopped: return ["+/-", "p", "s", "L", "Tab"]
        default: return ["s", "L", "Tab", "+/-"]
        }
    }

    /// Larger is dropped sooner.
    static func dropRank(_ key: String, order: [String]) -> Int {
        order.firstIndex(of: key).map { order.count - $0 } ?? 0
    }

    static func draw(_ state: AppState, in rect: Rect, grid: inout CellGrid, theme: Theme, now: Double) {
        guard !rect.isEmpty else { return }
        // A recent message takes the right end; the keys get what is left, ending at least
        // `messageGap` columns before the message's text so the two never read as one.
        var keysEnd = rect.maxX
        if let message = state.message, now >= message.time, now - message.time < AppState.messageSeconds {
            let text = " " + message.text + " "
            let width = min(text.unicodeScalars.count, rect.width)
            // The message's own leading space is one column of the gap.
            keysEnd = rect.maxX - width - (messageGap - 1)
            grid.put(text, x: rect.maxX - width, y: rect.y,
                     style: theme.style(message.isError ? .warning : .message), limit: width)
        }
        // When the line is too narrow, drop the least important entries first (see `dropOrder`),
        // keeping `? help` and `q quit` (the last two), so the way to every key stays on screen.
        var entries = keys(state, theme: theme)
        let order = dropOrder(state)
        func width(_ list: [(String, String)]) -> Int {
            list.reduce(0) { $0 + $1.0.count + $1.1.unicodeScalars.count + 3 }
        }
        while entries.count > 2, rect.x + 1 + width(entries) - 2 > keysEnd {
            let droppable = entries.indices.dropLast(2)
            // The highest rank goes; among equals, the rightmost.
            let victim = droppable.max {
                (dropRank(entries[$0].0, order: order), $0) < (dropRank(entries[$1].0, order: order), $1)
            }
                ?? entries.count - 3
            entries.remove(at: victim)
        }
        var x = rect.x + 1
        for (key, action) in entries {
            let need = key.count + action.unicodeScalars.count + 1
            guard x + need <= keysEnd else { break }
            x = grid.put(key, x: x, y: rect.y, style: theme.style(.key))
            x = grid.put(" " + action, x: x, y: rect.y, style: theme.style(.dim))
            x += 2
        }
    }
}
