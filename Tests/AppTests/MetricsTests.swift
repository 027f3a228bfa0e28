import Foundation
import Testing
@testable import App
import Engine
import Synchronization

/// `--metrics` lines are JSON objects with exactly the documented keys; the file grows in whole lines.
@Suite struct MetricsTests {
    static let batch = BatchMetrics(epoch: 2, batch: 7, batchesPerEpoch: 235, step: 242, loss: 0.3125,
                                    learningRate: 0.2, samplesPerSecond: 51234.5)

    private func object(_ line: String) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any])
    }

    @Test func batchLine() throws {
        let line = try #require(MetricsFormat.line(for: .batch(Self.batch)))
        #expect(!line.contains("\n"))
        let json = try object(line)
        #expect(Set(json.keys) == ["type", "epoch", "batch", "step", "loss", "lr", "samples_per_second"])
        #expect(json["type"] as? String == "batch")
        #expect(json["epoch"] as? Int == 2)
        #expect(json["batch"] as? Int == 7)
        #expect(json["step"] as? Int == 242)
        #expect(json["loss"] as? Double == 0.3125)
        #expect(json["samples_per_second"] as? Double == 51234.5)
        // Floats print as themselves, not as their widened Double.
        #expect(line.contains("\"lr\":0.2,"))
    }

    @Test("an epoch line has the summary, the confusion matrix (rows = truth) and the misclassified digits")
    func epochLine() throws {
        var metrics = HeadlessFormatTests.epoch(3)
        metrics.confusion[3, 5] = 2
        metrics.confusion[7, 7] = 9
        metrics.misclassified = [
            Misclassified(testIndex: 18, label: 3, predicted: 5, probabilities: (0..<10).map { $0 == 5 ? 0.5 : 0.125 / 2 }),
            Misclassified(testIndex: 40, label: 3, predicted: 5, probabilities: (0..<10).map { $0 == 5 ? 0.75 : 0.25 / 9 }),
        ]
        let line = try #require(MetricsFormat.line(for: .epoch(metrics)))
        let json = try object(line)
        #expect(Set(json.keys) == ["type", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                                   "train_seconds", "lr", "confusion", "misclassified_columns", "misclassified"])
        #expect(json["type"] as? String == "epoch")
        #expect(json["epoch"] as? Int == 3)
        #expect(json["train_loss"] as? Double == metrics.trainLoss)
        #expect(json["test_accuracy"] as? Double == metrics.testAccuracy)
        #expect(json["train_seconds"] as? Double == metrics.trainSeconds)
        let rows = try #require(json["confusion"] as? [[Int]])
        #expect(rows.count == metrics.confusion.classes)
        for truth in 0..<rows.count { #expect(rows[truth] == (0..<rows.count).map { metrics.confusion[truth, $0] }) }
        #expect(json["misclassified_columns"] as? [String] == ["test_index", "label", "predicted", "p_predicted", "p_label"])
        let wrong = try #require(json["misclassified"] as? [[Double]])
        #expect(wrong.count == metrics.misclassified.count)
        for (entry, m) in zip(wrong, metrics.misclassified) {
            // The probabilities print as the Floats they are ("0.027777778"), which read back exactly as Floats.
            #expect(entry.map { Float($0) } == [Float(m.testIndex), Float(m.label), Float(m.predicted),
                                                m.probabilities[m.predicted], m.probabilities[m.label]])
        }
    }

    @Test("a non-finite loss is written as null, keeping the line valid JSON")
    func nonFinite() throws {
        var batch = Self.batch
        batch.loss = .nan
        let json = try object(try #require(MetricsFormat.line(for: .batch(batch))))
        #expect(json["loss"] is NSNull)
    }

    @Test("state and lr events are not metrics lines")
    func otherEvents() {
        #expect(MetricsFormat.line(for: .stateChanged(.running)) == nil)
        #expect(MetricsFormat.line(for: .learningRateChanged(from: 0.2, to: 0.4, step: 3)) == nil)
    }

    @Test("the writer creates the file at once, flushes epochs at once and batches within a second, ends with an end line")
    func writerFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-metrics-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.jsonl").path
        func lines() throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let clock = Clock()
        let writer = try MetricsWriter(path: path, runLine: "{\"type\":\"run\"}", truncate: false, now: clock.now)
        #expect(try lines() == ["{\"type\":\"run\"}"], "the run line is there before any batch")
        for batch in 1...3 {
            var metrics = Self.batch
            metrics.batch = batch
            #expect(writer.record(.batch(metrics)).isEmpty)
        }
        #expect(try lines().count == 1, "batches wait for the next flush")
        clock.advance(1.0)
        _ = writer.record(.batch(Self.batch))
        #expect(try lines().count == 5, "a second later, every batch is in the file")
        #expect(writer.record(.stateChanged(.running)).isEmpty)
        #expect(writer.record(.epoch(HeadlessFormatTests.epoch(1))).isEmpty)
        #expect(try lines().count == 6, "an epoch line is written at once")
        #expect(writer.finish(.signal(15)).isEmpty)
        #expect(writer.finish(.completed).isEmpty)  // idempotent

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        let types = try lines().map { try object($0)["type"] as? String }
        #expect(types == ["run", "batch", "batch", "batch", "batch", "epoch", "end"])
        let end = try object(try #require(try lines().last))
        #expect(end["reason"] as? String == "signal" && end["signal"] as? Int == 15)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["run.jsonl"])

        // Appending (a resumed run) keeps what was there; truncating (--overwrite) replaces it.
        _ = try MetricsWriter(path: path, runLine: "{\"type\":\"run\",\"n\":2}", truncate: false).finish(.completed)
        #expect(try lines().count == 9)
        _ = try MetricsWriter(path: path, runLine: "{\"type\":\"run\",\"n\":3}", truncate: true).finish(.completed)
        #expect(try lines() == ["{\"type\":\"run\",\"n\":3}", "{\"type\":\"end\",\"reason\":\"completed\"}"])
    }

    final class Clock: Sendable {
        private let seconds = Mutex(0.0)
        @Sendable func now() -> Double { seconds.withLock { $0 } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    @Test("an uncreatable metrics file is a one-line error naming --metrics")
    func unwritable() {
        #expect {
            _ = try MetricsWriter(path: "/nonexistent/folder/run.jsonl", runLine: "{}", truncate: false)
        } throws: { error in
            "\(error)".hasPrefix("--metrics /nonexistent/folder/run.jsonl:")
        }
    }
}
