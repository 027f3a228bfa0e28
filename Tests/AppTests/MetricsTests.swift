import Foundation
import Testing
@testable import App
import Engine

/// `--metrics` lines are JSON objects with exactly the documented keys; the file appears whole.
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

    @Test func epochLine() throws {
        let metrics = HeadlessFormatTests.epoch(3)
        let line = try #require(MetricsFormat.line(for: .epoch(metrics)))
        let json = try object(line)
        #expect(Set(json.keys) == ["type", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                                   "train_seconds", "lr"])
        #expect(json["type"] as? String == "epoch")
        #expect(json["epoch"] as? Int == 3)
        #expect(json["train_loss"] as? Double == metrics.trainLoss)
        #expect(json["test_accuracy"] as? Double == metrics.testAccuracy)
        #expect(json["train_seconds"] as? Double == metrics.trainSeconds)
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

    @Test("the writer fills a temporary beside the file and renames it into place on close")
    func writerFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-metrics-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.jsonl").path

        let writer = try MetricsWriter(path: path)
        for batch in 1...3 {
            var metrics = Self.batch
            metrics.batch = batch
            #expect(writer.record(.batch(metrics)).isEmpty)
        }
        #expect(writer.record(.stateChanged(.running)).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: path), "the final name appears only when complete")
        #expect(writer.record(.epoch(HeadlessFormatTests.epoch(1))).isEmpty)
        #expect(writer.finish(.completed).isEmpty)
        #expect(writer.finish(.completed).isEmpty)  // idempotent

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5 && lines.last == "", "4 whole lines, newline-terminated")
        let types = try lines.dropLast().map { try object(String($0))["type"] as? String }
        #expect(types == ["batch", "batch", "batch", "epoch"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["run.jsonl"])
    }

    @Test("an uncreatable metrics file is a one-line error naming --metrics")
    func unwritable() {
        #expect {
            _ = try MetricsWriter(path: "/nonexistent/folder/run.jsonl")
        } throws: { error in
            "\(error)".hasPrefix("--metrics /nonexistent/folder/run.jsonl:")
        }
    }
}
