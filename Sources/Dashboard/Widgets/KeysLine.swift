// The bottom line: the keys that matter now, or a recent message.

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

    static func draw(_ state: AppState, in rect: Rect, grid: inout CellGrid, theme: Theme, now: Double) {
        guard !rect.isEmpty else { return }
        // A recent message takes the right end; the keys get what is left.
        var keysEnd = rect.maxX
        if let message = state.message, now >= message.time, now - message.time < AppState.messageSeconds {
            let text = " " + message.text + " "
            let width = min(text.unicodeScalars.count, rect.width)
            keysEnd = rect.maxX - width
            grid.put(text, x: keysEnd, y: rect.y, style: theme.style(message.isError ? .warning : .message),
                     limit: width)
        }
        // When the line is too narrow, drop entries from the middle, keeping the first ones and
        // `? help` and `q quit` (the last two), so the way to every key stays on screen.
        var entries = keys(state, theme: theme)
        func width(_ list: [(String, String)]) -> Int {
            list.reduce(0) { $0 + $1.0.count + $1.1.unicodeScalars.count + 3 }
        }
        while entries.count > 2, rect.x + 1 + width(entries) - 2 > keysEnd {
            entries.remove(at: entries.count - 3)
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
