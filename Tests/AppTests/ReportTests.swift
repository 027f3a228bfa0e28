import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import App
import Engine
import MNISTData

/// `mnist-tui report`: the page's structure (well-formed, every section, the digits, no network
/// reference, no script, under 5 MB), and a malformed line named with its line number (status 1).
/// How it looks is checked by eye in a real browser: scripts/report-screenshot.sh.
@Suite struct ReportTests {
    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-report-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A run of 3 epochs of 10 batches over the fixture dataset, with its run and end lines.
    private func metrics(epochs: Int = 3) -> String {
        WatchLoopTests.runLine(epochs: epochs) + "\n"
            + WatchLoopTests.lines((1...(epochs * 10)).map { LoopFixtures.batch($0) } + (1...epochs).map { LoopFixtures.epoch($0) })
            + MetricsFormat.endLine(.completed) + "\n"
    }

    /// Element names and attributes seen by an XML parser (the page is XHTML-compatible).
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var ids: [String] = []
        var images = 0
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append(name)
            if let id = attributes["id"] { ids.append(id) }
            if name == "img", attributes["src"]?.hasPrefix("data:image/png;base64,") == true { images += 1 }
        }
    }

    @Test("the page is well-formed, has every section and the digits, no script or network reference, under 5 MB")
    func structure() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try metrics().write(toFile: "\(dir)/m.jsonl", atomically: false, encoding: .utf8)
        let status = ReportCommand.write(metrics: "\(dir)/m.jsonl", to: "\(dir)/r.html") { _ in WatchLoopTests.dataset }
        #expect(status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/r.html"))
        #expect(data.count < 5_000_000)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("<!DOCTYPE html>"))
        #expect(!text.contains("http://") && !text.contains("https://"), "a network reference")
        #expect(!text.lowercased().contains("<script"))
        let parser = XMLParser(data: data)
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        #expect(collector.ids == ["loss", "accuracy", "options", "confusion", "misclassified"])
        #expect(collector.elements.filter { $0 == "svg" }.count == 3, "loss, accuracy and the heat map")
        #expect(collector.elements.filter { $0 == "polyline" }.count == 4, "batch loss, EMA, train and test accuracy")
        #expect(collector.images == 1, "the fixture's one misclassified digit, as a PNG")
        #expect(text.contains("<b>3</b> → <span class=\"wrong\">5</span>"))
        #expect(text.contains("<th>batch_size</th><td>256</td>"))
        // Ten rows of ten cells.
        #expect(collector.elements.filter { $0 == "rect" }.count == 100)
    }

    @Test("at most 100 digits; a dataset that does not match says so instead of showing digits")
    func digitLimitAndMismatch() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var epoch = LoopFixtures.epoch(1)
        if case .epoch(var metrics) = epoch {
            metrics.misclassified = (0..<150).map { Misclassified(testIndex: $0 % 20, label: 1, predicted: 2, probabilities: [Float](repeating: 0.1, count: 10)) }
            epoch = .epoch(metrics)
        }
        try (WatchLoopTests.runLine(epochs: 1) + "\n" + WatchLoopTests.lines([LoopFixtures.batch(1), epoch]))
            .write(toFile: "\(dir)/m.jsonl", atomically: false, encoding: .utf8)
        #expect(ReportCommand.write(metrics: "\(dir)/m.jsonl", to: "\(dir)/r.html") { _ in WatchLoopTests.dataset } == 0)
        var text = try String(contentsOfFile: "\(dir)/r.html", encoding: .utf8)
        #expect(text.components(separatedBy: "<figure>").count - 1 == 100)
        #expect(text.contains("150 misclassified test images; the first 100 shown"))

        let other = Dataset(name: "MNIST", classNames: (0..<10).map(String.init), train: LoopFixtures.images,
                            test: LabeledImages(count: 1, rows: 28, cols: 28, pixels: [UInt8](repeating: 9, count: 784), labels: [0]))
        #expect(ReportCommand.write(metrics: "\(dir)/m.jsonl", to: "\(dir)/r.html") { _ in other } == 0)
        text = try String(contentsOfFile: "\(dir)/r.html", encoding: .utf8)
        #expect(text.contains("The digits are not shown: MNIST here has fingerprint"))
        #expect(!text.contains("data:image/png"))
    }

    @Test("a malformed line: one line naming the file and the line number, status 1, no output written")
    func malformedLine() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lines = metrics().split(separator: "\n").map(String.init)
        lines.insert("{\"type\":\"batch\",\"epoch\":1", at: 5)
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/m.jsonl", atomically: false, encoding: .utf8)
        let binary = try #require(FileManager.default.isExecutableFile(atPath: binaryPath) ? binaryPath : nil)
        let result = try Subprocess.run(binary, ["report", "\(dir)/m.jsonl", "-o", "\(dir)/r.html"])
        #expect(result.status == 1)
        #expect(result.stderr == "mnist-tui: \(dir)/m.jsonl:6: not a metrics line: not JSON\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/r.html"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.jsonl"])
    }
}
