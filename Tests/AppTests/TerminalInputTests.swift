import Cells
import Testing
import Dashboard
@testable import App
import Terminal

/// get_wch results -> dashboard keys. Key codes are ncurses' documented values (curses.h, octal).
@Suite struct KeyDecoderTests {
    @Test("characters", arguments: [
        (UInt32(0x0A), TerminalInput.key(.enter)), (0x0D, .key(.enter)), (0x1B, .key(.escape)),
        (0x7F, .key(.backspace)), (0x08, .key(.backspace)), (0x09, .key(.tab)),
        (0x71, .key(.character("q"))), (0x20, .key(.character(" "))), (0x2B, .key(.character("+"))),
        (0x2D, .key(.character("-"))), (0x3F, .key(.character("?"))), (0xE9, .key(.character("é"))),
    ])
    func characters(code: UInt32, expected: TerminalInput) {
        #expect(KeyDecoder.decode(.character(code)) == expected)
    }

    @Test("key codes", arguments: [
        (Int32(0o403), TerminalInput.key(.up)), (0o402, .key(.down)), (0o404, .key(.left)), (0o405, .key(.right)),
        (0o527, .key(.enter)), (0o407, .key(.backspace)), (0o523, .key(.pageUp)), (0o522, .key(.pageDown)),
        (0o406, .key(.home)), (0o550, .key(.end)), (0o632, .resize), (0o410 + 1, .key(.function(1))),
        (0o410 + 12, .key(.function(12))),
    ])
    func keyCodes(code: Int32, expected: TerminalInput) {
        #expect(KeyDecoder.decode(.keyCode(code)) == expected)
    }

    @Test("other control characters and unknown key codes are ignored")
    func ignored() {
        #expect(KeyDecoder.decode(.character(0x01)) == nil)  // ^A
        #expect(KeyDecoder.decode(.character(0x9B)) == nil)  // C1 CSI
        #expect(KeyDecoder.decode(.character(0xD800)) == nil)  // lone surrogate, not a scalar
        #expect(KeyDecoder.decode(.keyCode(0o631)) == nil)  // KEY_MOUSE
        #expect(KeyDecoder.decode(.keyCode(0o410)) == nil)  // KEY_F0 itself
    }
}

@Suite struct RunModeTests {
    @Test func selection() {
        let tty = (stdout: true, stdin: true)
        #expect(RunMode.select(headlessFlag: false, stdoutIsTerminal: tty.stdout, stdinIsTerminal: tty.stdin,
                               term: "xterm-256color") == .dashboard)
        #expect(RunMode.select(headlessFlag: true, stdoutIsTerminal: true, stdinIsTerminal: true,
                               term: "xterm-256color") == .headless)
        #expect(RunMode.select(headlessFlag: false, stdoutIsTerminal: false, stdinIsTerminal: true,
                               term: "xterm-256color") == .headless, "piped output is headless")
        #expect(RunMode.select(headlessFlag: false, stdoutIsTerminal: true, stdinIsTerminal: false,
                               term: "xterm-256color") == .headless)
        for term in [nil, "", "dumb"] {
            #expect(RunMode.select(headlessFlag: false, stdoutIsTerminal: true, stdinIsTerminal: true,
                                   term: term) == .headless)
        }
    }
}

@Suite struct ColorMappingTests {
    @Test("palette indices fold down to what the terminal has")
    func folding() {
        #expect(ColorMapping.terminalColor(.default, colorCount: 256) == -1)
        #expect(ColorMapping.terminalColor(.palette(196), colorCount: 256) == 196)
        #expect(ColorMapping.terminalColor(.palette(196), colorCount: 16) == 9, "bright red")
        #expect(ColorMapping.terminalColor(.palette(196), colorCount: 8) == 1, "red")
        #expect(ColorMapping.terminalColor(.palette(46), colorCount: 8) == 2, "green")
        #expect(ColorMapping.terminalColor(.palette(12), colorCount: 8) == 4, "bright blue folds to blue")
        #expect(ColorMapping.terminalColor(.palette(232), colorCount: 16) == 0, "near-black grey")
        #expect(ColorMapping.terminalColor(.palette(255), colorCount: 16) == 7, "light grey")
        #expect(ColorMapping.terminalColor(.palette(231), colorCount: 16) == 15, "cube white")
    }
}
