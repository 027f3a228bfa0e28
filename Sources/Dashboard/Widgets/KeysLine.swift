import Cells
import Engine

// The bottom line: the keys that matter now (from the `Keymap`), a recent message, or the path
// editor after a failed save.

/// What the keys line draws: its slice of the state.
struct KeysLineModel: Equatable {
    /// Whose hints to show (the help overlay and the quit question keep the mode below's).
    var context: KeyContext
    var runState: RunState
    var lossScale: LossScale
    var saveFailed: Bool
    var message: StatusMessage?
    /// The path being typed, when the editor is open.
    var editorText: String?
    /// Watching a file: the steering keys are left out and this line stands in for them.
    var readOnly: String?
    var watch: WatchStatus?
    /// Runs trained together: the focus keys are hinted only when there are several.
    var runCount = 1
}

extension AppState {
    var keysLine: KeysLineModel {
        let context: KeyContext = pathEditor != nil ? .pathEditor : inspectionContext
            ?? (browser != nil ? .browser : focus == .confusion ? .confusion : .main)
        return KeysLineModel(context: context, runState: runState, lossScale: lossScale,
                             saveFailed: saveFailure != nil, message: message,
                             editorText: pathEditor?.text ?? inspection.jumpText,
                             readOnly: readOnly, watch: watch, runCount: runs.count)
    }
}

enum KeysLine {
    /// The hints for the model's mode: (keys, text, priority), in keymap order.
    static func keys(_ model: KeysLineModel, theme: Theme) -> [(String, String, Int)] {
        let u = theme.options.unicode
        let ended: Bool
        switch model.runState {
        case .done, .stopped: ended = true
        default: ended = false
        }
        let steering: Set<KeyAction> = [.togglePause, .raiseLearningRate, .lowerLearningRate, .save]
        return Keymap.hints(for: model.context).compactMap { binding in
            guard let hint = binding.hint else { return nil }
            if model.readOnly != nil && steering.contains(binding.action) { return nil }
            if binding.action == .focusRun1 && model.runCount < 2 { return nil }
            let text: String
            switch hint.text {
            case .fixed(let label): text = label.text(unicode: u)
            case .pauseWord: text = ended ? "(ended)" : model.runState == .running ? "pause" : "resume"
            case .lossScaleWord: text = model.lossScale == .linear ? "log" : "linear"
            case .saveWord: text = model.saveFailed ? "save as" + (u ? "…" : "...") : "save"
            case .learningRateFactor:
                let factor = Format.learningRate(AppState.learningRateFactor)
                text = u ? "lr ×\(factor)/÷\(factor)" : "lr *\(factor) /\(factor)"
            case .focusRunWord: text = "focus run"
            }
            // Once the run has ended, pause and the learning rate do nothing: they go first.
            let inert = ended && (binding.action == .togglePause || binding.action == .raiseLearningRate)
            return (hint.keys.text(unicode: u), text, inert ? binding.hintPriority - 1000 : binding.hintPriority)
        }
    }

    /// Columns kept free between the last key hint and a message.
    static let messageGap = 2

    static func draw(_ model: KeysLineModel, in rect: Rect, grid: inout CellGrid, theme: Theme, now: Double) {
        guard !rect.isEmpty else { return }
        var keysEnd = rect.maxX
        if let text = model.editorText {
            // The editor: "save to: PATH_" from the left; the hints after it when they fit.
            let prompt = model.context == .jumpEditor ? " test digit #" : " save to: "
            let room = max(0, rect.width - prompt.count - 1 - 24)
            let shown = text.unicodeScalars.count > room ? "…" + String(String.UnicodeScalarView(text.unicodeScalars.suffix(max(0, room - 1)))) : text
            var x = grid.put(prompt, x: rect.x, y: rect.y, style: theme.style(.label), limit: rect.width)
            x = grid.put(shown, x: x, y: rect.y, style: theme.style(.value), limit: max(0, rect.maxX - x))
            x = grid.put("_", x: x, y: rect.y, style: theme.style(.key), limit: max(0, rect.maxX - x))
            drawHints(keys(model, theme: theme), from: x + 2, to: rect.maxX, y: rect.y, grid: &grid, theme: theme)
            return
        }
        // A recent (or sticky) message takes the right end; the keys get what is left, ending at
        // least `messageGap` columns before the message's text so the two never read as one.
        // Watching a file, what the follower says stays there when no other message is showing.
        var shown = model.message.flatMap { message in
            now >= message.time && (message.sticky || now - message.time < AppState.messageSeconds) ? message : nil
        }
        if shown == nil, let readOnly = model.readOnly {
            let text = [readOnly, model.watch?.text].compactMap { $0 }.joined(separator: " · ")
            shown = StatusMessage(text: text, time: now, isError: model.watch?.isError ?? false)
        }
        if let message = shown {
            var text = " " + message.text + " "
            if text.unicodeScalars.count > rect.width, rect.width > 2 {
                // Too long (a failed save names two paths): its end, the reason and what to do, matters most.
                text = " …" + String(String.UnicodeScalarView(text.unicodeScalars.suffix(rect.width - 2)))
            }
            let width = min(text.unicodeScalars.count, rect.width)
            // The message's own leading space is one column of the gap.
            keysEnd = rect.maxX - width - (messageGap - 1)
            grid.put(text, x: rect.maxX - width, y: rect.y,
                     style: theme.style(message.isError ? .warning : .message), limit: width)
        }
        drawHints(keys(model, theme: theme), from: rect.x + 1, to: keysEnd, y: rect.y, grid: &grid, theme: theme)
    }

    /// When the line is too narrow, drops the lowest-priority hints first (among equals, the
    /// rightmost), keeping the last two (`? help`, `q quit`), so the way to every key stays on screen.
    private static func drawHints(_ all: [(String, String, Int)], from start: Int, to end: Int, y: Int,
                                  grid: inout CellGrid, theme: Theme) {
        var entries = all
        func width(_ list: [(String, String, Int)]) -> Int {
            list.reduce(0) { $0 + $1.0.count + $1.1.unicodeScalars.count + 3 }
        }
        while entries.count > 2, start + width(entries) - 2 > end {
            let droppable = entries.indices.dropLast(2)
            let victim = droppable.min { (entries[$0].2, -$0) < (entries[$1].2, -$1) } ?? entries.count - 3
            entries.remove(at: victim)
        }
        var x = start
        for (key, action, _) in entries {
            let need = key.count + action.unicodeScalars.count + 1
            guard x + need <= end else { break }
            x = grid.put(key, x: x, y: y, style: theme.style(.key))
            x = grid.put(" " + action, x: x, y: y, style: theme.style(.dim))
            x += 2
        }
    }
}
