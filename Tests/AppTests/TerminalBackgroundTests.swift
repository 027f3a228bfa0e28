import Cells
import Testing
@testable import Terminal

/// Choosing the palette from the terminal: COLORFGBG, the OSC 11 answer, the order they are tried.
@Suite struct TerminalBackgroundTests {
    @Test("COLORFGBG: the last field is the background", arguments: [
        ("0;15", BackgroundTone.light), ("15;0", .dark), ("0;7", .light), ("7;0", .dark),
        ("15;default;0", .dark), ("0;default;15", .light), ("12;8", .dark), ("0;11", .light),
        ("1;6", .dark), ("0;231", .light), ("15;16", .dark), ("0;255", .light), ("7;236", .dark),
        (" 0 ; 15 ", .light),
    ])
    func colorfgbg(value: String, tone: BackgroundTone) {
        #expect(TerminalBackground.tone(colorfgbg: value) == tone)
    }

    @Test("COLORFGBG that says nothing usable", arguments: [
        "", "15", "default", "0;default", "0;", ";", "0;256", "0;-1", "0;x", "a;b;c", "0;15.0", "0;1e1",
    ])
    func colorfgbgUnusable(value: String) {
        #expect(TerminalBackground.tone(colorfgbg: value) == nil)
    }

    @Test("luminance threshold: mid grey (L* 50) is the border")
    func threshold() {
        #expect(TerminalBackground.tone(red: 1, green: 1, blue: 1) == .light)
        #expect(TerminalBackground.tone(red: 0, green: 0, blue: 0) == .dark)
        #expect(TerminalBackground.tone(red: 0.99, green: 0.96, blue: 0.89) == .light)  // Solarized light
        #expect(TerminalBackground.tone(red: 0, green: 0.17, blue: 0.21) == .dark)  // Solarized dark
        #expect(TerminalBackground.tone(red: 0.16, green: 0.16, blue: 0.21) == .dark)  // Dracula
        #expect(TerminalBackground.tone(red: 0.5, green: 0.5, blue: 0.5) == .light)  // L* 53
        #expect(TerminalBackground.tone(red: 0.45, green: 0.45, blue: 0.45) == .dark)  // L* 48
        #expect(TerminalBackground.tone(red: 0, green: 0, blue: 1) == .dark)  // pure blue: Y 0.07
        #expect(TerminalBackground.tone(red: 0, green: 1, blue: 0) == .light)  // pure green: Y 0.72
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("OSC 11 answers: BEL or ST, 1 to 4 hex digits a component, rgba, #RGB")
    func oscReplies() throws {
        let white = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;rgb:ffff/ffff/ffff\u{07}")))
        #expect(white.red == 1 && white.green == 1 && white.blue == 1)
        let solarized = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;rgb:fdfd/f6f6/e3e3\u{1B}\\")))
        #expect(abs(solarized.red - 0xfdfd / 65535.0) < 1e-9 && abs(solarized.blue - 0xe3e3 / 65535.0) < 1e-9)
        let short = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;rgb:f/8/0\u{07}")))
        #expect(short.red == 1 && abs(short.green - 8.0 / 15) < 1e-9 && short.blue == 0)
        let twoDigits = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;rgb:1e/1E/2e\u{07}")))
        #expect(abs(twoDigits.red - 30.0 / 255) < 1e-9)
        let rgba = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;rgba:0000/0000/0000/ffff\u{07}")))
        #expect(rgba.red == 0 && rgba.green == 0 && rgba.blue == 0)
        let hash = try #require(TerminalBackground.color(inReply: Self.bytes("\u{1B}]11;#ffffff\u{07}")))
        #expect(hash.red == 1 && hash.blue == 1)
        // Other bytes around the answer (the Device Attributes answer after it, a key before).
        let mixed = Self.bytes("q\u{1B}]11;rgb:0000/0000/0000\u{07}\u{1B}[?1;2c")
        #expect(TerminalBackground.color(inReply: mixed).map { $0.red + $0.green + $0.blue } == 0)
    }

    @Test("malformed or missing OSC 11 answers give nothing", arguments: [
        "", "\u{1B}[?1;2c", "\u{1B}]11;rgb:ffff/ffff/ffff", "\u{1B}]11;rgb:ffff/ffff\u{07}",
        "\u{1B}]11;rgb:fffff/ffff/ffff\u{07}", "\u{1B}]11;rgb:gggg/0000/0000\u{07}", "\u{1B}]11;rgb://\u{07}",
        "\u{1B}]11;?\u{07}", "\u{1B}]11;white\u{07}", "\u{1B}]11;#fffff\u{07}", "\u{1B}]10;rgb:ffff/ffff/ffff\u{07}",
        "\u{1B}]11;rgb:ffff/ffff/ffff/ffff\u{07}", "\u{1B}]11;rgba:ffff/ffff/ffff\u{07}", "]11;rgb:ffff/ffff/ffff\u{07}",
    ])
    func malformed(reply: String) {
        #expect(TerminalBackground.color(inReply: Self.bytes(reply)) == nil)
    }

    @Test("the Device Attributes answer marks the end of the answers")
    func deviceAttributes() {
        #expect(TerminalBackground.containsDeviceAttributes(Self.bytes("\u{1B}]11;rgb:0/0/0\u{07}\u{1B}[?1;2c")))
        #expect(TerminalBackground.containsDeviceAttributes(Self.bytes("\u{1B}[?62;22c")))
        #expect(!TerminalBackground.containsDeviceAttributes(Self.bytes("\u{1B}[?1;2")))
        #expect(!TerminalBackground.containsDeviceAttributes(Self.bytes("\u{1B}]11;rgb:0/0/0\u{07}")))
    }

    @Test("keys typed while waiting for the answers are kept, the answers cut out (also when cut short)")
    func typedAhead() {
        func keys(_ text: String) -> String { String(decoding: TerminalBackground.keysTyped(in: Self.bytes(text)), as: UTF8.self) }
        #expect(keys("\u{1B}]11;rgb:ffff/ffff/ffff\u{07}\u{1B}[?1;2c") == "")
        #expect(keys("m\u{1B}]11;rgb:0/0/0\u{1B}\\p\u{1B}[?62;22cq") == "mpq")
        #expect(keys("\t\u{1B}[?1;2c") == "\t")
        #expect(keys("\u{1B}[Aé\u{1B}[?1;2") == "\u{1B}[Aé")  // an arrow key kept; a partial answer dropped
        #expect(keys("x\u{1B}]11;rgb:ff") == "x")
        #expect(keys("\u{1B}") == "\u{1B}")
    }

    @Test("COLORFGBG first; the terminal is asked only without it; dark when nobody says")
    func order() {
        var asked = 0
        #expect(TerminalBackground.detect(colorfgbg: "0;15", answer: { asked += 1; return .dark }) == .light)
        #expect(asked == 0)
        #expect(TerminalBackground.detect(colorfgbg: nil, answer: { asked += 1; return .light }) == .light)
        #expect(TerminalBackground.detect(colorfgbg: "default", answer: { asked += 1; return .light }) == .light)
        #expect(asked == 2)
        #expect(TerminalBackground.detect(colorfgbg: nil, answer: { nil }) == .dark)
        #expect(TerminalBackground.detect(colorfgbg: "garbage", answer: { nil }) == .dark)
    }
}
