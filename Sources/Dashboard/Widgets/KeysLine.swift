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
        return [("p", pause), ("+/-", "lr ×2/÷2"), ("m", "misclassified"), ("Tab", "confusion"),
                ("L", state.lossScale == .linear ? "log" : "linear"), ("s", "save"), ("?", "help"), ("q", "quit")]
    }

    static func draw(_ state: AppState, in rect: Rect, grid: inout CellGrid, theme: Theme, now: Double) {
        guard !rect.isEmpty else { return }
        var x = rect.x + 1
        for (key, action) in keys(state, theme: theme) {
            let action = theme.options.unicode ? action : action.replacingOccurrences(of: "×", with: "x")
                .replacingOccurrences(of: "÷", with: "/")
            let need = key.count + action.count + 3
            guard x + need <= rect.maxX else { break }
            x = grid.put(key, x: x, y: rect.y, style: theme.style(.key))
            x = grid.put(" " + action + "  ", x: x, y: rect.y, style: theme.style(.dim))
        }
        if let message = state.message, now - message.time < AppState.messageSeconds, now >= message.time {
            let text = " " + message.text + " "
            let width = min(text.unicodeScalars.count, rect.width)
            let mx = max(x, rect.maxX - width)
            grid.fill(Rect(x: mx, y: rect.y, width: rect.maxX - mx, height: 1))
            grid.put(text, x: mx, y: rect.y, style: theme.style(message.isError ? .warning : .message),
                     limit: rect.maxX - mx)
        }
    }
}
