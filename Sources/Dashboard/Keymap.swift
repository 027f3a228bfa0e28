import Cells

// Every key the dashboard knows, in one table: which keys, in which mode, what they do, what the
// help overlay says and what the keys line hints. `AppState.handle` looks keys up here,
// `HelpOverlay` lists the table, `KeysLine` shows the hints of the current mode: a new key is one
// row here and one case in `AppState.perform`.

/// The mode a key is read in. Modes stack: the browser sits over the matrix focus over the main
/// screen, and a key not bound in the top mode falls through to the ones below.
public enum KeyContext: Sendable, Hashable, CaseIterable {
    case main
    case confusion
    case browser
    /// The `?` overlay: any key closes it (q still quits).
    case help
    /// "save before quitting? y/n": other keys repeat the question.
    case quitQuestion
    /// Typing a path for `s` after a failed save: printable keys are text.
    case pathEditor
    /// Inside the network (issue 10): one digit's forward pass (`f`), drawing (`d`), the first
    /// layer's weights (`u`), typing a test index (`/`).
    case forwardPass, drawing, weights, jumpEditor
}

/// What a key does.
public enum KeyAction: Sendable, Hashable, CaseIterable {
    case togglePause, raiseLearningRate, lowerLearningRate, browseMisclassified, focusConfusion
    case toggleLossScale, save, showHelp, quit, clearFocus
    case focusRun1, focusRun2, focusRun3, focusRun4, toggleLayers
    case previousDigit, nextDigit, firstDigit, lastDigit, pageBack, pageForward, closeBrowser
    case selectUp, selectDown, selectLeft, selectRight, browseCell, leaveConfusion
    case closeHelp
    case saveAndQuit, quitWithoutSaving, cancelQuit
    case confirmPath, cancelPath, deleteCharacter
    // Inside the network (AppState+Inspection)
    case openForwardPass, jumpToTestDigit, openDraw, openWeights, closeInspection, previousInspected, nextInspected
    case cursorUp, cursorDown, cursorLeft, cursorRight, togglePaint, toggleErase, clearCanvas
    case previousUnits, nextUnits, confirmJump, cancelJump, deleteJumpCharacter
}

/// Text in two spellings: with Unicode glyphs, and in plain ASCII.
public struct Label: Sendable, Equatable {
    public let unicode: String
    public let ascii: String

    init(_ both: String) { self.init(both, ascii: both) }
    init(_ unicode: String, ascii: String) {
        self.unicode = unicode
        self.ascii = ascii
    }

    func text(unicode: Bool) -> String { unicode ? self.unicode : ascii }
}

/// A keys-line hint whose text follows the state.
enum HintText: Sendable, Equatable {
    case fixed(Label)
    /// "pause", "resume" or "(ended)".
    case pauseWord
    /// "log" or "linear": what `L` switches to.
    case lossScaleWord
    /// "save", or "save as…" after a failed save (`s` then asks for a path).
    case saveWord
    /// "lr ×2/÷2".
    case learningRateFactor
    /// "focus run" (shown only when several runs train).
    case focusRunWord
}

/// One row of the keymap.
public struct KeyBinding: Sendable {
    public let keys: [Key]
    /// The modes it works in.
    public let contexts: Set<KeyContext>
    public let action: KeyAction
    /// The help overlay's row (keys, text); nil when the help does not list it.
    let help: (keys: Label, text: Label)?
    /// The keys line's entry (keys, text); nil when the line does not show it.
    let hint: (keys: Label, text: HintText)?
    /// When the keys line is short, lower priorities are dropped first (the last two, ? and q,
    /// never are). Actions that do nothing once the run has ended drop before all others then.
    let hintPriority: Int
}

public enum Keymap {
    private static let factor = Format.learningRate(AppState.learningRateFactor)

    /// The whole table, in the order the help overlay lists it and the keys line shows it.
    public static let bindings: [KeyBinding] = [
        // MARK: Main screen
        row([.character("p"), .character(" ")], [.main], .togglePause,
            help: ("p, space", "pause / resume training"), hint: ("p", .pauseWord), priority: 6),
        row([.character("+"), .character("=")], [.main], .raiseLearningRate,
            help: ("+ (or =)", Label("raise lr ×\(factor)", ascii: "raise lr x\(factor)")),
            hint: ("+/-", .learningRateFactor), priority: 4),
        row([.character("-"), .character("_")], [.main], .lowerLearningRate,
            help: ("- (or _)", Label("lower lr ÷\(factor)", ascii: "lower lr /\(factor)"))),
        row([.character("m")], [.main], .browseMisclassified,
            help: ("m", "browse misclassified test digits"), hint: ("m", .fixed(Label("misclassified"))), priority: 5),
        // MARK: Browser
        row([.left, .character("h")], [.browser], .previousDigit,
            help: (Label("← → h l", ascii: "Left Right h l"), "previous / next digit in the browser"),
            hint: (Label("←→/hl", ascii: "<>/hl"), .fixed(Label("next"))), priority: 3),
        row([.right, .character("l")], [.browser], .nextDigit),
        row([.home], [.browser], .firstDigit,
            help: ("Home End", "first / last digit in the browser"),
            hint: ("Home/End", .fixed(Label("first/last"))), priority: 2),
        row([.end], [.browser], .lastDigit),
        row([.pageUp], [.browser], .pageBack),
        row([.pageDown], [.browser], .pageForward),
        // MARK: Confusion matrix
        row([.tab, .character("c")], [.main], .focusConfusion,
            help: ("Tab, c", "focus the confusion matrix"), hint: ("Tab", .fixed(Label("confusion"))), priority: 3),
        row([.up], [.confusion], .selectUp,
            help: ("arrows", "select a confusion cell (when focused)"),
            hint: ("arrows", .fixed(Label("select"))), priority: 3),
        row([.down], [.confusion], .selectDown),
        row([.left], [.confusion], .selectLeft),
        row([.right], [.confusion], .selectRight),
        row([.enter], [.confusion], .browseCell,
            help: ("Enter", "browse that cell's digits (true i, predicted j)"),
            hint: ("Enter", .fixed(Label("browse cell"))), priority: 2),
        row([.escape, .character("m"), .backspace], [.browser], .closeBrowser,
            help: ("Esc", "close the browser / leave the matrix"), hint: ("Esc", .fixed(Label("close"))), priority: 1),
        row([.escape, .tab], [.confusion], .leaveConfusion, hint: ("Tab/Esc", .fixed(Label("leave"))), priority: 1),
        // MARK: Inside the network: one digit's forward pass, drawing, first-layer weights
        row([.character("f")], [.main], .openForwardPass,
            help: ("f", "a digit's forward pass: logits, softmax, loss"),
            hint: ("f/d/u", .fixed(Label("inside the net"))), priority: 0),
        row([.character("/")], [.main], .jumpToTestDigit,
            help: ("/", "forward pass of test digit #n (type n, Enter)")),
        row([.character("d")], [.main], .openDraw, help: ("d", "draw a digit, see the prediction")),
        row([.character("u")], [.main], .openWeights, help: ("u", "first-layer weights of the hidden units")),
        // The same keys from inside the views (they fall through to the main screen's rows); these
        // rows only give them a place in the views' keys lines.
        row([.character("/")], [.forwardPass], .jumpToTestDigit, hint: ("/", .fixed(Label("test #"))), priority: 2),
        row([.character("d")], [.forwardPass, .weights], .openDraw, hint: ("d", .fixed(Label("draw"))), priority: 2),
        row([.character("u")], [.forwardPass, .drawing], .openWeights, hint: ("u", .fixed(Label("weights"))), priority: 2),
        row([.left, .character("h")], [.forwardPass], .previousInspected,
            hint: (Label("←→", ascii: "<>"), .fixed(Label("digit"))), priority: 3),
        row([.right, .character("l")], [.forwardPass], .nextInspected),
        row([.up], [.drawing], .cursorUp, hint: ("arrows", .fixed(Label("move"))), priority: 3),
        row([.down], [.drawing], .cursorDown),
        row([.left], [.drawing], .cursorLeft),
        row([.right], [.drawing], .cursorRight),
        row([.character(" ")], [.drawing], .togglePaint, hint: ("space", .fixed(Label("pen"))), priority: 3),
        row([.character("x")], [.drawing], .toggleErase, hint: ("x", .fixed(Label("eraser"))), priority: 3),
        row([.character("c")], [.drawing], .clearCanvas, hint: ("c", .fixed(Label("clear"))), priority: 3),
        row([.left, .pageUp, .character("h")], [.weights], .previousUnits,
            hint: (Label("←→", ascii: "<>"), .fixed(Label("page"))), priority: 3),
        row([.right, .pageDown, .character("l")], [.weights], .nextUnits),
        row([.escape], [.forwardPass, .drawing, .weights], .closeInspection,
            hint: ("Esc", .fixed(Label("close"))), priority: 1),
        row([.enter], [.jumpEditor], .confirmJump, hint: ("Enter", .fixed(Label("show"))), priority: 2),
        row([.escape], [.jumpEditor], .cancelJump, hint: ("Esc", .fixed(Label("cancel"))), priority: 1),
        row([.backspace], [.jumpEditor], .deleteJumpCharacter),
        // MARK: Main screen, continued
        row([.character("L")], [.main], .toggleLossScale,
            help: ("L", "loss chart: linear / log scale"), hint: ("L", .lossScaleWord), priority: 2),
        row([.character("s")], [.main], .save,
            help: ("s", "save a checkpoint now"),
            hint: ("s", .saveWord), priority: 1),
        row([.escape], [.main], .clearFocus),
        // MARK: Several runs, layer health
        row([.character("1")], [.main, .confusion, .browser], .focusRun1,
            help: ("1-4", "focus run 1-4 (status, matrix, browser, +/-)"),
            hint: ("1-4", .focusRunWord), priority: 4),
        row([.character("2")], [.main, .confusion, .browser], .focusRun2),
        row([.character("3")], [.main, .confusion, .browser], .focusRun3),
        row([.character("4")], [.main, .confusion, .browser], .focusRun4),
        row([.character("w")], [.main, .confusion], .toggleLayers,
            help: ("w", "Layers panel: weights, gradients, dead ReLUs")),
        // MARK: Modal: help, quit question, path editor
        row([], [.help], .closeHelp),
        row([.character("y"), .character("Y")], [.quitQuestion], .saveAndQuit),
        row([.character("n"), .character("N")], [.quitQuestion], .quitWithoutSaving),
        row([.escape], [.quitQuestion], .cancelQuit),  // the question itself says these
        row([.enter], [.pathEditor], .confirmPath, hint: ("Enter", .fixed(Label("save"))), priority: 2),
        row([.escape], [.pathEditor], .cancelPath, hint: ("Esc", .fixed(Label("cancel"))), priority: 1),
        row([.backspace], [.pathEditor], .deleteCharacter),
        // MARK: Everywhere (last: the keys line keeps these two)
        row([.character("?")], [.main, .confusion, .browser, .forwardPass, .drawing, .weights], .showHelp,
            help: ("?", "this help (any key closes it)"), hint: ("?", .fixed(Label("help"))), priority: 100),
        row([.character("q"), .character("Q")], [.main, .confusion, .browser, .help, .forwardPass, .drawing, .weights], .quit,
            help: ("q", "quit"), hint: ("q", .fixed(Label("quit"))), priority: 100),
    ]

    /// The binding for `key` in the first of `contexts` (top mode first) that binds it. A context
    /// with a binding for no keys (help) takes every key.
    static func binding(for key: Key, in contexts: [KeyContext]) -> KeyBinding? {
        for context in contexts {
            if let found = bindings.first(where: { $0.contexts.contains(context) && $0.keys.contains(key) }) {
                return found
            }
            if let any = bindings.first(where: { $0.contexts.contains(context) && $0.keys.isEmpty }) { return any }
        }
        return nil
    }

    /// The keys line's entries for a mode, in table order.
    static func hints(for context: KeyContext) -> [KeyBinding] {
        bindings.filter { $0.contexts.contains(context) && $0.hint != nil }
    }

    private static func row(_ keys: [Key], _ contexts: Set<KeyContext>, _ action: KeyAction,
                            help: (Label, Label)? = nil, hint: (Label, HintText)? = nil, priority: Int = 0) -> KeyBinding {
        KeyBinding(keys: keys, contexts: contexts, action: action,
                   help: help.map { (keys: $0.0, text: $0.1) }, hint: hint.map { (keys: $0.0, text: $0.1) },
                   hintPriority: priority)
    }
}

extension Label: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}
