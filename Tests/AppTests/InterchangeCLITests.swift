// The command line's files for other tools (issue 11): --export writes the run's parameters
// exactly, `evaluate` gives the run's own figures for a checkpoint and for its export, refuses what
// it cannot read in one line, and --tensorboard writes the run's figures as TensorBoard records.
import Engine
import Foundation
import Interchange
import Testing

/// One short real run, shared by the tests below: `--save`, `--export` and `--tensorboard` together.
@Suite(.serialized) struct InterchangeCLITests {
    let folder: String
    let checkpoint: String
    let export: String
    let tensorboard: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-interchange-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        checkpoint = folder + "/run.ckpt"
        export = folder + "/run.safetensors"
        tensorboard = folder + "/tb"
    }

    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    /// Two epochs of 3 batches (600 images, batch 256); returns the run's stdout lines.
    private func train(_ extra: [String] = []) throws -> [String] {
        let result = try Subprocess.run(try binary(), ["--headless", "--epochs", "2", "--train-limit", "600", "--threads", "1",
                                                       "--save", checkpoint, "--export", export, "--tensorboard", tensorboard] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("weights exported to \(export)"), "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test("--export: the file read back holds the run's parameters exactly, in PyTorch's layout")
    func exportHoldsTheParameters() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try train()
        let saved = try Checkpoint.read(from: checkpoint).snapshot
        let contents = try SafetensorsFile.read(from: export)
        #expect(contents.weights.layerSizes == saved.layerSizes)
        #expect(contents.weights.packed == saved.parameters)
        #expect(contents.metadata["layers"] == "784,512,256,10" && contents.metadata["dataset"] == "MNIST")
    }

    @Test("evaluate --headless on the checkpoint and on the export: the run's final accuracy and a 10x10 confusion matrix")
    func evaluateHeadless() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try train()
        let final = try #require(run.last)
        #expect(final.hasPrefix("Accuracy on test set: "))
        for file in [checkpoint, export] {
            let result = try Subprocess.run(try binary(), ["evaluate", file, "--headless", "--threads", "1"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 13, "\(lines)")
            #expect(lines.first == final, "\(file): \(lines.first ?? "") vs the run's \(final)")
            #expect(lines[1] == "Confusion matrix (rows: true class, columns: predicted class):")
            #expect(lines[2].split(separator: " ") == (0..<10).map { Substring(String($0)) })
            let rows = lines[3...].map { $0.split(separator: " ").compactMap { Int($0) } }
            #expect(rows.allSatisfy { $0.count == 11 }, "\(rows)")
            #expect(rows.map { $0[0] } == Array(0..<10))
            let counts = rows.map { Array($0.dropFirst()) }
            #expect(counts.joined().reduce(0, +) == 10_000)
            // The accuracy line is the diagonal's share.
            let correct = (0..<10).reduce(0) { $0 + counts[$1][$1] }
            let percent = String(format: "%.2f%%", Double(correct) / 100)
            #expect(lines[0] == "Accuracy on test set: \(percent)")
        }
    }

    @Test("evaluate: a missing, a malformed or an unfitting file is one line naming it, status 1")
    func evaluateErrors() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let garbage = folder + "/garbage.safetensors"
        try Data((0..<64).map { UInt8(($0 * 37) & 0xFF) }).write(to: URL(fileURLWithPath: garbage))
        let badJSON = folder + "/bad-json.safetensors"
        let header = Array("{\"0.weight\": [".utf8)
        try Data(withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header)
            .write(to: URL(fileURLWithPath: badJSON))
        // A real PyTorch file (the fixture's 4-3-2 network), which MNIST's 784 pixels do not fit.
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("InterchangeTests/Fixtures/pytorch-4-3-2.safetensors").path
        let cases: [(file: String, says: String)] = [
            (folder + "/missing.safetensors", "cannot open it"),
            (garbage, "header length"),
            (badJSON, "JSON"),
            (fixture, "inputs"),
        ]
        for (file, says) in cases {
            let result = try Subprocess.run(try binary(), ["evaluate", file, "--headless"])
            #expect(result.status == 1, "\(file): \(result.stderr)")
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(result.stderr.hasPrefix("mnist-tui: \(file): ") && result.stderr.contains(says), "\(result.stderr)")
        }
    }

    @Test("--export and --tensorboard are refused up front (status 64) where the other outputs are")
    func refusedUpFront() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let taken = folder + "/file"
        #expect(FileManager.default.createFile(atPath: taken, contents: Data()))
        let cases: [[String]] = [
            ["--export", "/dev/null"],
            ["--export", folder],
            ["--export", folder + "/x/"],
            ["--export", taken, "--save", taken],
            ["--export", taken, "--metrics", taken],
            ["--tensorboard", taken],
            ["--tensorboard", taken + "/sub"],
        ]
        for options in cases {
            let result = try Subprocess.run(try binary(), ["--headless", "--epochs", "1", "--train-limit", "100"] + options)
            #expect(result.status == 64, "\(options): \(result.stderr)")
            #expect(result.stderr.contains(options[0]), "\(options): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("--tensorboard: every batch loss at its step, each epoch's figures at its last step, equal to the run's")
    func tensorBoardRecords() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try train()
        let files = try FileManager.default.contentsOfDirectory(atPath: tensorboard)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."), "\(files)")
        let events = try EventRecords.read(tensorboard + "/" + files[0])
        #expect(events.first?.fileVersion == "brain.Event:2")
        let history = try Checkpoint.read(from: checkpoint).snapshot.history
        let batchLosses = events.compactMap { e in e.scalars["train/batch_loss"].map { (e.step, $0) } }
        #expect(batchLosses.map(\.0) == Array(1...6))
        #expect(batchLosses.map(\.1) == history.batchLosses)
        let epochEvents = events.filter { $0.scalars["test/accuracy"] != nil }
        #expect(epochEvents.map(\.step) == [3, 6])
        for (event, epoch) in zip(epochEvents, history.epochs) {
            #expect(event.scalars["test/accuracy"] == Float(epoch.testAccuracy))
            #expect(event.scalars["test/loss"] == Float(epoch.testLoss))
            #expect(event.scalars["train/loss"] == Float(epoch.trainLoss))
            #expect(event.scalars["train/accuracy"] == Float(epoch.trainAccuracy))
            #expect(event.scalars["lr"] == epoch.learningRate)
        }
    }
}

/// A minimal reader of TensorBoard event files for these tests (the Interchange tests check the
/// format itself, checksums included): TFRecord framing, and the Event fields mnist-tui writes.
enum EventRecords {
    struct Event {
        var step = 0
        var fileVersion: String?
        var scalars: [String: Float] = [:]
    }

    struct Malformed: Error {}

    static func read(_ path: String) throws -> [Event] {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        var events: [Event] = []
        var at = 0
        while at < bytes.count {
            guard at + 12 <= bytes.count else { throw Malformed() }
            let length = (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
            guard at + 16 + length <= bytes.count else { throw Malformed() }
            events.append(try event(bytes[(at + 12)..<(at + 12 + length)]))
            at += 16 + length
        }
        return events
    }

    /// Protobuf fields: Event {step = 2 varint, file_version = 3, summary = 5 {value = 1 {tag = 1, simple_value = 2 fixed32}}}.
    private static func event(_ bytes: ArraySlice<UInt8>) throws -> Event {
        var result = Event()
        try fields(bytes) { field, value in
            switch (field, value) {
            case (2, .number(let n)): result.step = Int(n)
            case (3, .bytes(let b)): result.fileVersion = String(decoding: b, as: UTF8.self)
            case (5, .bytes(let summary)):
                try fields(summary) { _, value in
                    guard case .bytes(let entry) = value else { throw Malformed() }
                    var tag = "", number = Float.nan
                    try fields(entry) { f, v in
                        switch (f, v) {
                        case (1, .bytes(let t)): tag = String(decoding: t, as: UTF8.self)
                        case (2, .number(let n)): number = Float(bitPattern: UInt32(truncatingIfNeeded: n))
                        default: throw Malformed()
                        }
                    }
                    result.scalars[tag] = number
                }
            default: break
            }
        }
        return result
    }

    private enum Value { case number(UInt64), bytes(ArraySlice<UInt8>) }

    private static func fields(_ bytes: ArraySlice<UInt8>, _ body: (Int, Value) throws -> Void) throws {
        var at = bytes.startIndex
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard at < bytes.endIndex, shift < 64 else { throw Malformed() }
                let byte = bytes[at]; at += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        func fixed(_ count: Int) throws -> UInt64 {
            guard at + count <= bytes.endIndex else { throw Malformed() }
            defer { at += count }
            return (0..<count).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
        }
        while at < bytes.endIndex {
            let key = try varint()
            switch key & 7 {
            case 0: try body(Int(key >> 3), .number(try varint()))
            case 1: try body(Int(key >> 3), .number(try fixed(8)))
            case 5: try body(Int(key >> 3), .number(try fixed(4)))
            case 2:
                let length = Int(try varint())
                guard at + length <= bytes.endIndex else { throw Malformed() }
                defer { at += length }
                try body(Int(key >> 3), .bytes(bytes[at..<(at + length)]))
            default: throw Malformed()
            }
        }
    }
}
