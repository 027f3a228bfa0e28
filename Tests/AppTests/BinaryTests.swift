import Foundation
import Testing

/// The real binary outside a terminal: piped output is headless and plain, bad data is one line
/// and a non-zero status, a diverging run says so and fails. (Small runs: a second or two each.)
@Suite(.serialized) struct BinaryTests {
    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    @Test("piped output is headless: the tutorial's lines and no escape codes")
    func pipedIsHeadless() throws {
        let result = try Subprocess.run(try binary(), ["--train-limit", "1000", "--epochs", "2", "--threads", "1"],
                                        environment: ["TERM": "xterm-256color"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.wholeMatch(of: /Epoch 1\/2, Loss: \d+\.\d{4}, Train accuracy: \d+\.\d\d%, Test accuracy: \d+\.\d\d%, \d+\.\d\d s/) != nil,
                "\(lines)")
        #expect(lines.last?.wholeMatch(of: /Accuracy on test set: \d+\.\d\d%/) != nil, "\(lines)")
        #expect(!result.stdout.contains("\u{1B}"), "escape codes in headless output")
    }

    @Test("a folder without MNIST files: one line on stderr naming the file, status 1, no backtrace")
    func badData() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-empty-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Subprocess.run(try binary(), ["--data", folder.path, "--headless"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("mnist-tui: \(folder.path)/"), "\(result.stderr)")
    }

    @Test("a bad option: status 64 and the option named")
    func badOption() throws {
        let result = try Subprocess.run(try binary(), ["--lr", "0"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--lr"), "\(result.stderr)")
    }

    @Test("a network too large for memory: one line naming the options and the figure, status 64 (issue 13)")
    func tooLargeForMemory() throws {
        // 40 layers of 16384 with Adam: 10.7 G parameters, about 300 GB with the optimiser's state.
        let hidden = Array(repeating: "16384", count: 40).joined(separator: ",")
        let result = try Subprocess.run(try binary(), ["--headless", "--optimizer", "adam", "--hidden", hidden,
                                                       "--train-limit", "100", "--epochs", "1"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("--hidden") && result.stderr.contains(" GB of memory") && result.stderr.contains("this machine has"),
                "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test("headless divergence: a line with 'diverged', epoch, batch and lr; status 2")
    func diverged() throws {
        let result = try Subprocess.run(try binary(), ["--headless", "--lr", "500", "--train-limit", "1000",
                                                       "--epochs", "2", "--threads", "1"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("diverged") })
        #expect(line.contains("epoch 1") && line.contains("batch ") && line.contains("lr 500"), "\(line)")
    }
}
