import Cells
import Foundation
import Testing
@testable import App
import Dashboard
import Engine
import MNISTData

/// `watch`'s reading of a metrics file: whole lines only, garbage counted with its line numbers,
/// a truncated or replaced file read again from its start; then the whole watch loop through the
/// test screen, from an empty folder to DONE.
@Suite struct MetricsFollowerTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-follow-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    @Test("waits for the file, counts only whole lines, keeps line numbers across polls")
    func partialLines() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.jsonl"
        var follower = MetricsFollower(path: path)
        #expect(follower.poll() == MetricsFollower.Poll(exists: false))
        try "a\nb\npar".write(toFile: path, atomically: false, encoding: .utf8)
        var poll = follower.poll()
        #expect(poll.exists && poll.lines.map(\.number) == [1, 2] && poll.lines.map(\.text) == ["a", "b"])
        #expect(follower.poll().lines.isEmpty, "the unfinished line waits")
        try append("tial\nc\n", to: path)
        poll = follower.poll()
        #expect(poll.lines.map(\.number) == [3, 4] && poll.lines.map(\.text) == ["partial", "c"])
    }

    @Test("a truncated file and a replaced file are read again from the start, and say so")
    func truncatedAndReplaced() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.jsonl"
        var follower = MetricsFollower(path: path)
        try "one\ntwo\nthree\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(follower.poll().lines.count == 3)
        // Truncated in place (same inode), shorter than what was read.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("new\n".utf8))
        try handle.close()
        var poll = follower.poll()
        #expect(poll.restarted?.contains("truncated") == true)
        #expect(poll.lines.map(\.number) == [1] && poll.lines.first?.text == "new")
        // Replaced by another file (rename over it: a new inode).
        try "x\ny\n".write(toFile: dir + "/other", atomically: false, encoding: .utf8)
        #expect(rename(dir + "/other", path) == 0)
        poll = follower.poll()
        #expect(poll.restarted?.contains("replaced") == true)
        #expect(poll.lines.map(\.text) == ["x", "y"] && poll.lines.map(\.number) == [1, 2])
        // Removed: waiting again, said once.
        #expect(unlink(path) == 0)
        poll = follower.poll()
        #expect(!poll.exists && poll.restarted?.contains("removed") == true)
        #expect(follower.poll() == MetricsFollower.Poll(exists: false))
    }

    @Test("lines that are not metrics are refused with a reason; the writer's lines read back")
    func parsing() throws {
        for bad in ["garbage", "[1,2]", "{\"loss\":1}", "{\"type\":\"batch\",\"epoch\":1}", "{\"type\":\"epoch\",\"epoch\":\"x\"}"] {
            #expect(throws: MetricsRecord.Malformed.self) { try MetricsRecord.parse(bad, batchesPerEpoch: 10) }
        }
        guard case .other = try MetricsRecord.parse("{\"type\":\"future\"}", batchesPerEpoch: 10) else {
            Issue.record("an unknown type is not skipped quietly")
            return
        }
        let batch = try #require(MetricsFormat.line(for: LoopFixtures.batch(13)))
        guard case .batch(let metrics) = try MetricsRecord.parse(batch, batchesPerEpoch: 10),
              case .batch(let original) = LoopFixtures.batch(13) else {
            Issue.record("a batch line is not read back as a batch")
            return
        }
        #expect(metrics == original)
        let epoch = try #require(MetricsFormat.line(for: LoopFixtures.epoch(2)))
        guard case .epoch(let line) = try MetricsRecord.parse(epoch, batchesPerEpoch: 10),
              case .epoch(let written) = LoopFixtures.epoch(2) else {
            Issue.record("an epoch line is not read back as an epoch")
            return
        }
        #expect(line.summary == written.summary && line.confusion == written.confusion)
        #expect(line.misclassified.map(\.testIndex) == [3] && line.misclassified.first?.probabilities[5] == 0.6)
        #expect(line.misclassified.first?.probabilities[3] == 0.04)
    }
}

/// The watch loop: the real `WatchSource` on a real file, the scripted screen, a fixture dataset.
@MainActor
@Suite struct WatchLoopTests {
    nonisolated static let dataset = Dataset(name: "MNIST", classNames: (0..<10).map(String.init),
                                 train: LoopFixtures.images, test: LoopFixtures.images)

    nonisolated static func runLine(fingerprint: String = dataset.fingerprintHex, epochs: Int = 2) -> String {
        var config = TrainingConfig()
        config.epochs = epochs
        var info = LoopFixtures.info
        info.config = config
        let run = RunDescription(version: "test", started: "2026-12-02T12:00:00Z", info: info,
                                 datasetFingerprint: fingerprint, dataDirectory: nil,
                                 options: (try? MNISTTUICommand.parse([]))?.metricsOptions(config: config) ?? [], resumedFrom: nil)
        return run.line
    }

    nonisolated static func lines(_ events: [TrainingEvent]) -> String {
        events.compactMap { MetricsFormat.line(for: $0) }.map { $0 + "\n" }.joined()
    }

    private func play(_ path: String, _ steps: [Step]) async -> (TestScreen, AppState, DashboardLoop<TestScreen>.End) {
        let clock = FakeClock()
        let screen = TestScreen(steps: steps, clock: clock, events: FakeEvents(), reports: ReportInbox())
        let source = WatchSource(path: path) { _ in Self.dataset }
        var loop = DashboardLoop(screen: screen, run: ReadOnlyRun(reason: "read-only: watching \(path)"), events: source, reports: ReportInbox(),
                                 now: clock.now,
                                 interrupted: { [screen] in MainActor.assumeIsolated { screen.exhausted ? 2 : nil } },
                                 state: WatchSource.initialState(path: path, options: DisplayOptions(unicode: true, color: true),
                                                                 now: clock.now()))
        let end = await loop.run()
        return (screen, loop.state, end)
    }

    @Test("waiting for the file, then following it to DONE; garbage skipped with its line number; steering keys read-only")
    func followsToDone() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-watch-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.jsonl"
        let first = Self.runLine() + "\n" + Self.lines((1...10).map { LoopFixtures.batch($0) } + [LoopFixtures.epoch(1)])
        let rest = Self.lines((11...20).map { LoopFixtures.batch($0) } + [LoopFixtures.epoch(2)])
        let (screen, state, end) = await play(path, [
            .idle, .idle,
            .act { try? first.write(toFile: path, atomically: false, encoding: .utf8) }, .idle, .idle,
            .keys([.character("p"), .character("+"), .character("s")]), .idle,
            .act { try? (first + "not json\n" + rest).write(toFile: path + ".new", atomically: false, encoding: .utf8)
                   rename(path + ".new", path) }, .idle, .idle, .wait(7), .idle,
        ])
        #expect(end == .signal(2))
        let waiting = screen.frames.first.map { $0.lines.joined(separator: "\n") } ?? ""
        #expect(waiting.contains("WAITING") && waiting.contains("waiting for the file to appear"), "\(waiting)")
        #expect(screen.frames.contains { $0.lines.joined().contains("read-only: watching \(path)") })
        #expect(!screen.frames.contains { $0.lines.last?.contains("p pause") == true }, "a steering key is offered")
        let last = screen.lastText
        #expect(screen.lastFrame[0].contains("DONE") && screen.lastFrame[0].contains("epoch 2/2"), "\(last)")
        #expect(last.contains("1 line skipped (line 13)"), "\(last)")
        #expect(state.epochs.map(\.summary.epoch) == [1, 2])
        #expect(state.testImages.count == 20, "the dataset's test images were loaded")
        #expect(state.latest?.predictions.count == 20 && state.latest?.predictions[3] == 5)
        #expect(state.losses.count == 20)
    }

    @Test("a dataset whose fingerprint differs: the panels stay empty and the keys line says why")
    func fingerprintMismatch() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-watch-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/m.jsonl"
        try (Self.runLine(fingerprint: "0123456789abcdef") + "\n" + Self.lines([LoopFixtures.epoch(1)]))
            .write(toFile: path, atomically: false, encoding: .utf8)
        let (screen, state, _) = await play(path, [.idle, .idle, .wait(7), .idle])
        #expect(state.testImages.count == 0)
        #expect(screen.lastText.contains("no test images"), "\(screen.lastText)")
        #expect(screen.lastFrame.last?.contains("the run's is 0123456789abcdef") == true, "\(screen.lastText)")
    }
}
