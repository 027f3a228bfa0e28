import Foundation
import Testing
@testable import App
import ArgumentParser
import Dashboard
import Engine

/// `--compare-with FILE` (issue 9, acceptance 4): a finished run read back as a ghost; a truncated
/// line, garbage or a field of the wrong type is one line naming the file and the line number,
/// before training; the unfinished last line of a file still being written is skipped and counted.
@Suite struct GhostRunTests {
    /// A whole 2-epoch run of 10 batches an epoch, as `--metrics` writes it: 1 run line, then
    /// batch lines with an epoch line after every tenth, then the end line (24 lines).
    static let whole: [String] = {
        let events = LoopFixtures.firstEpoch.dropFirst(2) + (11...20).map { LoopFixtures.batch($0) } + [LoopFixtures.epoch(2)]
        let body = WatchLoopTests.lines(Array(events)).split(separator: "\n").map(String.init)
        return [WatchLoopTests.runLine()] + body + [#"{"type":"end","reason":"completed"}"#]
    }()

    private func write(_ text: String) throws -> (dir: String, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-ghost-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/old-run.jsonl"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        return (dir, path)
    }

    private func loadError(_ text: String) throws -> String? {
        let (dir, path) = try write(text)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try GhostRun.load(path)
            return nil
        } catch {
            return error.description.replacingOccurrences(of: path, with: "FILE")
        }
    }

    @Test("a whole file: every batch loss and epoch, labelled by the file name, ended DONE")
    func wholeFile() throws {
        let (dir, path) = try write(Self.whole.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ghost = try GhostRun.load(path)
        #expect(Self.whole.count == 24)
        #expect(ghost.label == "old-run.jsonl" && ghost.isGhost)
        #expect(ghost.losses.count == 20 && ghost.losses.raw[3] == 2.3 / 4)
        #expect(ghost.epochs.map(\.summary.epoch) == [1, 2] && ghost.epochs.map(\.endStep) == [10, 20])
        #expect(ghost.runState == .done && ghost.partialLinesSkipped == 0)
    }

    @Test("a line cut short in the middle of the file: its number, status 64 through the option")
    func truncatedLine() throws {
        var lines = Self.whole
        lines[4] = String(lines[4].prefix(25))
        #expect(try loadError(lines.joined(separator: "\n") + "\n") == "--compare-with FILE: line 5: not JSON")
        // Through the command line: a validation error (status 64), before any training.
        let (dir, path) = try write(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: (any Error).self) { try MNISTTUICommand.parse(["--compare-with", path]) }
        do {
            _ = try MNISTTUICommand.parse(["--compare-with", path])
        } catch {
            #expect(MNISTTUICommand.exitCode(for: error).rawValue == 64)
            #expect(MNISTTUICommand.message(for: error) == "--compare-with \(path): line 5: not JSON")
        }
    }

    @Test("garbage: not JSON, not an object, a field of the wrong type, a batch before the run line")
    func garbage() throws {
        var lines = Self.whole
        lines[7] = "hello"
        #expect(try loadError(lines.joined(separator: "\n") + "\n") == "--compare-with FILE: line 8: not JSON")
        lines = Self.whole
        lines[2] = "[1, 2]"
        #expect(try loadError(lines.joined(separator: "\n") + "\n") == "--compare-with FILE: line 3: not a JSON object")
        lines = Self.whole
        lines[3] = lines[3].replacingOccurrences(of: #""step":3"#, with: #""step":"three""#)
        #expect(try loadError(lines.joined(separator: "\n") + "\n")
                == #"--compare-with FILE: line 4: batch line: "step" missing or not valid"#)
        #expect(try loadError(Self.whole.dropFirst().joined(separator: "\n") + "\n")
                == "--compare-with FILE: line 1: comes before the run line (is it a --metrics file?)")
        #expect(try loadError("") == "--compare-with FILE: empty: no run line")
        #expect(try loadError(String(repeating: "\0", count: 40)) == "--compare-with FILE: line 1 is unfinished: no run line yet")
    }

    @Test("still being written: the unfinished last line is skipped and counted, the rest drawn")
    func beingWritten() throws {
        let text = Self.whole.prefix(8).joined(separator: "\n") + "\n" + Self.whole[8].prefix(30)
        let (dir, path) = try write(text)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ghost = try GhostRun.load(path)
        #expect(ghost.partialLinesSkipped == 1)
        #expect(ghost.losses.count == 7 && ghost.runState == .running)
        // On screen: the legend names the file and the skipped line.
        var state = AppState(info: LoopFixtures.info, testImages: LoopFixtures.images, options: DisplayOptions(), startTime: 0)
        state.addGhost(ghost)
        let screen = DashboardView.render(state, width: 80, height: 24, now: 0).lines.joined(separator: "\n")
        #expect(screen.contains("○a old-run.jsonl"))
        #expect(screen.contains("(1 partial line skipped)"))
    }

    @Test("a missing file or a folder: one line naming it")
    func missing() throws {
        #expect(throws: GhostRun.LoadError.self) { try GhostRun.load("/nonexistent/x.jsonl") }
        do { _ = try GhostRun.load("/nonexistent/x.jsonl") } catch {
            #expect(error.description == "--compare-with /nonexistent/x.jsonl: no such file")
        }
        do { _ = try GhostRun.load("/tmp") } catch {
            #expect(error.description.hasPrefix("--compare-with: cannot read /tmp"))
        }
    }
}
