import Foundation
import Testing
@testable import Terminal

/// The real binary in tmux as issue 10 asks: a light terminal (COLORFGBG) gets no light ink, SGR
/// mouse reports reach the app, and every way out turns mouse reporting off again.
@Suite(.serialized) struct ThemeMouseTmuxTests {
    /// The program through `env`, so COLORFGBG is set for it alone (and NO_COLOR, which the test
    /// runner sets, is not).
    static func session(colorfgbg: String, width: Int, height: Int, tmux: String,
                        options: [String] = []) throws -> TmuxSession {
        try TmuxSession(tmux: tmux, binary: "/usr/bin/env",
                        arguments: ["-u", "NO_COLOR", "COLORFGBG=\(colorfgbg)", binaryPath, "--train-limit", "2000", "--epochs", "200", "--seed", "1"]
                            + options,
                        width: width, height: height)
    }

    /// Cells of a `capture-pane -p -e` screen drawn on the default background with a palette
    /// foreground: (character, palette index). SGR 30-37/90-97/38;5;N as tmux writes them.
    static func inkOnDefaultBackground(_ screen: String) -> [(Character, Int)] {
        var ink: [(Character, Int)] = []
        var foreground: Int?
        var background: Int?
        var rest = Substring(screen)
        while let first = rest.first {
            if first == "\u{1B}", let match = rest.prefixMatch(of: /\x1B\[([0-9;]*)m/) {
                var codes = match.1.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                if codes.isEmpty { codes = [0] }
                var i = 0
                while i < codes.count {
                    switch codes[i] {
                    case 0: foreground = nil; background = nil
                    case 30...37: foreground = codes[i] - 30
                    case 90...97: foreground = codes[i] - 90 + 8
                    case 39: foreground = nil
                    case 40...47: background = codes[i] - 40
                    case 100...107: background = codes[i] - 100 + 8
                    case 49: background = nil
                    case 38 where i + 2 < codes.count && codes[i + 1] == 5: foreground = codes[i + 2]; i += 2
                    case 48 where i + 2 < codes.count && codes[i + 1] == 5: background = codes[i + 2]; i += 2
                    default: break
                    }
                    i += 1
                }
                rest = rest[match.range.upperBound...]
                continue
            }
            if first != " " && first != "\n", background == nil, let foreground { ink.append((first, foreground)) }
            rest = rest.dropFirst()
        }
        return ink
    }

    static func contrastOnWhite(_ index: Int) -> Double {
        let (r, g, b) = index < 16 ? ColorMapping.basicRGB[index] : ColorMapping.rgb(index)
        func linear(_ c: Int) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 1.05 / (0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) + 0.05)
    }

    /// The terminal's mouse modes as tmux sees them: "0000" when nothing reports.
    static func mouseModes(_ session: TmuxSession) throws -> String {
        try session.run(["display-message", "-p", "-t", "e2e",
                         "#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}#{mouse_sgr_flag}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func sendMouse(_ session: TmuxSession, _ sequence: String) throws {
        try session.run(["send-keys", "-t", "e2e", "-l", "\u{1B}[<" + sequence])
    }

    @Test("COLORFGBG 0;15: no light ink at 120x40 and 80x24; 15;0 keeps the dark theme's white digits",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func lightAndDark() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        for (colorfgbg, width, height) in [("0;15", 120, 40), ("0;15", 80, 24), ("15;0", 120, 40)] {
            let session = try Self.session(colorfgbg: colorfgbg, width: width, height: height, tmux: tmuxPath)
            defer { session.close() }
            _ = try session.waitFor("the first evaluation") { $0.contains("t\\p") && $0.contains("q quit") }
            var screens = [try session.run(["capture-pane", "-t", "e2e", "-p", "-e"])]
            try session.send("m")
            _ = try session.waitFor("the browser") { $0.contains("Misclassified") }
            screens.append(try session.run(["capture-pane", "-t", "e2e", "-p", "-e"]))
            let ink = screens.flatMap(Self.inkOnDefaultBackground)
            #expect(ink.count > 200, "\(colorfgbg) \(width)x\(height): coloured ink to check")
            let pale = ink.filter { Self.contrastOnWhite($0.1) < 3 }
            if colorfgbg == "0;15" {
                #expect(pale.isEmpty, "\(width)x\(height): pale ink on a light terminal: \(Set(pale.map(\.1)))")
            } else {
                #expect(pale.contains { $0.1 == 15 && "▀▄█".contains($0.0) }, "the dark theme draws the digits white")
            }
            try session.send("q")
            #expect(try session.waitForExit(seconds: 10).contains("mnist-tui exit status 0"))
        }
    }

    @Test("SGR mouse: a click opens a matrix cell's digits, the wheel steps; q, Ctrl-C and SIGTERM turn reporting off",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func mouse() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        for (how, status) in [("q", 0), ("C-c", 130), ("SIGTERM", 143)] {
            let session = try Self.session(colorfgbg: "0;15", width: 120, height: 40, tmux: tmuxPath)
            defer { session.close() }
            let screen = try session.waitFor("the first evaluation") { $0.contains("t\\p") && $0.contains("q quit") }
            // tmux's flags: 1000 (standard), 1002 (button), any of them, 1006 (SGR).
            #expect(try Self.mouseModes(session) == "0111", "button-event tracking (1002) with SGR reports (1006)")
            let (x, y) = try MouseLoopTests.cell(truth: 4, predicted: 9, in: screen.components(separatedBy: "\n"))
            try Self.sendMouse(session, "0;\(x + 1);\(y + 1)M")
            try Self.sendMouse(session, "0;\(x + 1);\(y + 1)m")
            _ = try session.waitFor("the cell's digits") { $0.contains("Misclassified · true 4, predicted 9") }
            try session.send("Escape")
            try session.send("m")
            _ = try session.waitFor("the browser") { $0.contains("Misclassified · 1 of") }
            try Self.sendMouse(session, "65;10;10M")
            _ = try session.waitFor("the wheel's next digit") { $0.contains("Misclassified · 2 of") }

            if how == "SIGTERM" {
                let child = try #require(try session.programPID(), "no mnist-tui process in the pane")
                kill(child, SIGTERM)
            } else {
                try session.send(how)
            }
            let end = try session.waitForExit(seconds: 10)
            #expect(end.contains("mnist-tui exit status \(status)"), "\(how): \(end)")
            #expect(end.contains("tty: icanon echo"), "\(how) left the terminal raw: \(end)")
            #expect(try Self.mouseModes(session) == "0000", "\(how) left mouse reporting on")
        }
    }

    @Test("--no-mouse: the terminal is never asked for mouse reports, not even after a stop and continue",
          .enabled(if: tmuxPath != nil || runningInCI, "tmux is not installed (CI installs it; locally: apt-get install tmux)"),
          .timeLimit(.minutes(3)))
    func noMouse() throws {
        let tmuxPath = try #require(tmuxPath, "tmux is required in CI")
        let session = try Self.session(colorfgbg: "15;0", width: 120, height: 40, tmux: tmuxPath, options: ["--no-mouse"])
        defer { session.close() }
        _ = try session.waitFor("the first evaluation") { $0.contains("t\\p") && $0.contains("q quit") }
        #expect(try Self.mouseModes(session) == "0000", "--no-mouse asked for mouse reports")
        // The keys still do what a click would: m opens the browser.
        try session.send("m")
        _ = try session.waitFor("the browser") { $0.contains("Misclassified") }
        // Stopped and continued (the path that switches reporting back on after Ctrl-Z and fg).
        let child = try #require(try session.programPID(), "no mnist-tui process in the pane")
        kill(child, SIGSTOP)
        Thread.sleep(forTimeInterval: 0.5)
        kill(child, SIGCONT)
        try session.send("Escape")
        _ = try session.waitFor("the dashboard again") { $0.contains("q quit") && !$0.contains("Misclassified ·") }
        #expect(try Self.mouseModes(session) == "0000", "continuing asked for mouse reports")
        try session.send("q")
        #expect(try session.waitForExit(seconds: 10).contains("mnist-tui exit status 0"))
    }
}
