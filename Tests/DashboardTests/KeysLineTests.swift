import Testing
@testable import Dashboard

// The keys line: hints never run into a message, and the important hints outlive the others.

@Suite struct KeysLineTests {
    static let checkpointMessage = "s saves a checkpoint to mnist-tui.ckpt"

    static func line(_ state: AppState, width: Int = 80, now: Double = 1) -> String {
        drawWidget(width: width, height: 1, color: false) { grid, rect, theme in
            KeysLine.draw(state.keysLine, in: rect, grid: &grid, theme: theme, now: now)
        }.lines[0]
    }

    @Test func hintsAndMessageKeepTwoSpacesApart() throws {
        var state = Fixtures.done()
        state.note(Self.checkpointMessage, now: 0)
        let line = Self.line(state)
        let message = try #require(line.range(of: Self.checkpointMessage))
        let before = line[..<message.lowerBound]
        #expect(before.hasSuffix("  "))
        #expect(before.trimmingCharacters(in: .whitespaces).hasSuffix("q quit"))
        // Ended: `p` and `+/-` do nothing any more, so they make room for `m`.
        #expect(line == " m misclassified  ? help  q quit         s saves a checkpoint to mnist-tui.ckpt ")
    }

    @Test func everyWidthKeepsTheGap() {
        var state = Fixtures.done()
        state.note(Self.checkpointMessage, now: 0)
        for width in 40...130 {
            let line = Self.line(state, width: width)
            guard let message = line.range(of: Self.checkpointMessage) else { continue }
            let before = line[..<message.lowerBound]
            #expect(before.trimmingCharacters(in: .whitespaces).isEmpty || before.hasSuffix("  "),
                    "width \(width): \(line)")
        }
    }

    @Test func misclassifiedOutlivesLessImportantHints() {
        let state = AppStateTests.evaluated()
        let full = Self.line(state, width: 120)
        #expect(full.contains("s save") && full.contains("L log") && full.contains("+/- lr"))
        let short = Self.line(state, width: 52)
        #expect(short == " p pause  m misclassified  ? help  q quit           ")
        let shorter = Self.line(state, width: 45)
        #expect(shorter.contains("m misclassified") && shorter.contains("? help") && shorter.contains("q quit"))
        #expect(!shorter.contains("+/-"))
    }

    @Test func theMessageGoesWhenItIsOld() {
        var state = Fixtures.done()
        state.note(Self.checkpointMessage, now: 0)
        let line = Self.line(state, now: AppState.messageSeconds + 1)
        #expect(!line.contains("checkpoint"))
        #expect(line.contains("Tab confusion"))
    }
}
