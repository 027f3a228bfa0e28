import Cells
import CNcurses
import Testing
@testable import Terminal

/// Raw `get_wch` results -> mouse events and keys: SGR reports however ncurses splits them, and
/// terminal answers that must not turn into keys.
@Suite struct MouseInputTests {
    /// What ncurses hands over for `text` when it knows no key in it: one character at a time.
    static func characters(_ text: String) -> [RawInput] {
        text.unicodeScalars.map { .character($0.value) }
    }

    /// Feeds `raws` as one read (everything waiting), then ends the read.
    static func decode(_ raws: [RawInput], into sequences: inout InputSequences) -> [TerminalInput] {
        raws.flatMap { sequences.feed($0) } + sequences.endOfRead()
    }

    static func decode(_ raws: [RawInput]) -> [TerminalInput] {
        var sequences = InputSequences()
        return decode(raws, into: &sequences)
    }

    @Test("SGR reports: press, drag, release, wheel; 1-based in, 0-based out", arguments: [
        ("0;10;5M", MouseEvent(action: .press, button: .left, x: 9, y: 4)),
        ("0;10;5m", MouseEvent(action: .release, button: .left, x: 9, y: 4)),
        ("32;11;5M", MouseEvent(action: .drag, button: .left, x: 10, y: 4)),
        ("1;1;1M", MouseEvent(action: .press, button: .middle, x: 0, y: 0)),
        ("2;300;100M", MouseEvent(action: .press, button: .right, x: 299, y: 99)),
        ("34;3;4M", MouseEvent(action: .drag, button: .right, x: 2, y: 3)),
        ("64;30;10M", MouseEvent(action: .scrollUp, button: .none, x: 29, y: 9)),
        ("65;30;10M", MouseEvent(action: .scrollDown, button: .none, x: 29, y: 9)),
        ("16;2;2M", MouseEvent(action: .press, button: .left, x: 1, y: 1)),  // with Ctrl
        ("3;2;2m", MouseEvent(action: .release, button: .none, x: 1, y: 1)),
    ])
    func sgr(parameters: String, event: MouseEvent) {
        let final = parameters.removingLast()
        #expect(InputSequences.sgrMouse(parameters: final.text, released: final.last == "m") == event)
        // Through the assembler: ESC [ < as characters (tmux's terminfo), as ncurses' KEY_MOUSE
        // (xterm's kmous), and as our define_key code.
        let tail = Self.characters(parameters)
        #expect(Self.decode(Self.characters("\u{1B}[<") + tail) == [.mouse(event)])
        #expect(Self.decode([.keyCode(KEY_MOUSE)] + tail) == [.mouse(event)])
        #expect(Self.decode([.keyCode(InputSequences.mouseIntroducerCode)] + tail) == [.mouse(event)])
    }

    @Test("reports the dashboard has no use for, and malformed ones, give nothing", arguments: [
        "35;10;5M",  // motion with no button (mode 1003)
        "66;10;5M", "67;10;5M",  // sideways wheel
        "64;10;5m",  // a wheel "release"
        "128;10;5M",  // extra buttons
        "0;0;5M", "0;10;0M", "0;10M", "0;10;5;7M", ";;M", "0;;5M", "0:1;1;1M", "0;10;5X",
    ])
    func unusable(text: String) {
        let inputs = Self.decode(Self.characters("\u{1B}[<" + text))
        #expect(!inputs.contains { if case .mouse = $0 { true } else { false } })
        // Nothing of it leaks out as keys either (no Esc, no letters).
        #expect(inputs.isEmpty, "\(inputs)")
    }

    @Test("keys around reports are kept, in order")
    func keysAround() {
        let raws = Self.characters("p\u{1B}[<0;10;5M") + [.keyCode(KEY_UP)] + Self.characters("\u{1B}[<65;1;1Mq")
        #expect(Self.decode(raws) == [
            .key(.character("p")), .mouse(MouseEvent(action: .press, button: .left, x: 9, y: 4)), .key(.up),
            .mouse(MouseEvent(action: .scrollDown, button: .none, x: 0, y: 0)), .key(.character("q")),
        ])
    }

    @Test("a report split across two reads is put together")
    func splitAcrossReads() {
        var sequences = InputSequences()
        #expect(Self.decode([.keyCode(InputSequences.mouseIntroducerCode)] + Self.characters("0;1"), into: &sequences).isEmpty)
        #expect(Self.decode(Self.characters("2;7M"), into: &sequences)
                == [.mouse(MouseEvent(action: .press, button: .left, x: 11, y: 6))])
    }

    @Test("Esc alone is the Esc key; Esc then a key is both")
    func escape() {
        #expect(Self.decode(Self.characters("\u{1B}")) == [.key(.escape)])
        #expect(Self.decode(Self.characters("\u{1B}q")) == [.key(.escape), .key(.character("q"))])
        #expect(Self.decode([.character(0x1B), .keyCode(KEY_UP)]) == [.key(.escape), .key(.up)])
        #expect(Self.decode(Self.characters("\u{1B}\u{1B}")) == [.key(.escape), .key(.escape)])
    }

    @Test("late terminal answers are dropped, not read as keys: OSC 11 (BEL or ST), Device Attributes")
    func lateAnswers() {
        #expect(Self.decode(Self.characters("\u{1B}]11;rgb:ffff/ffff/ffff\u{07}m")) == [.key(.character("m"))])
        #expect(Self.decode(Self.characters("\u{1B}]11;rgb:0000/0000/0000\u{1B}\\p")) == [.key(.character("p"))])
        #expect(Self.decode(Self.characters("\u{1B}[?1;2cq")) == [.key(.character("q"))])
        #expect(Self.decode(Self.characters("\u{1B}[I\u{1B}[O")).isEmpty)  // focus in/out
        #expect(Self.decode(Self.characters("\u{1B}[A\u{1B}[D")) == [.key(.up), .key(.left)])
    }

    @Test("a stray introducer cannot swallow keys for long")
    func strayIntroducer() {
        var sequences = InputSequences()
        #expect(Self.decode(Self.characters("\u{1B}]11;rgb:ff"), into: &sequences).isEmpty)
        for _ in 0..<3 { _ = sequences.endOfRead() }  // reads with nothing new: dropped
        #expect(Self.decode(Self.characters("q"), into: &sequences) == [.key(.character("q"))])
        // An endless "answer" ends at its length limit.
        var flood = InputSequences()
        let inputs = Self.decode(Self.characters("\u{1B}]" + String(repeating: "x", count: 600) + "q"), into: &flood)
        #expect(inputs.last == .key(.character("q")))
    }
}

private extension String {
    /// The text without its last character, and that character.
    func removingLast() -> (text: String, last: Character?) { (String(dropLast()), last) }
}
