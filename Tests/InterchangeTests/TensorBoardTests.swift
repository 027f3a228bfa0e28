// The TensorBoard event writer: checksums against published vectors, protobuf bytes against what
// the official protobuf library writes for the same messages, and whole files decoded back record
// by record (framing, both checksums, every field).
import Foundation
import Testing
@testable import Interchange

// MARK: - A reader for the tests (independent of the writer's code)

/// One decoded `Event`.
struct DecodedEvent: Equatable {
    var wallTime: Double?
    var step: Int64 = 0
    var fileVersion: String?
    var scalars: [String: Float] = [:]
}

enum EventFileDecodeError: Error { case truncated, lengthCRC, dataCRC, badProtobuf(String) }

/// Splits a file into TFRecord payloads, checking both masked CRC-32Cs of each.
func tfRecords(_ bytes: [UInt8]) throws -> [[UInt8]] {
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) } }
    var records: [[UInt8]] = []
    var at = 0
    while at < bytes.count {
        guard at + 12 <= bytes.count else { throw EventFileDecodeError.truncated }
        let length = Int(u64(at))
        guard CRC32C.masked(CRC32C.checksum(bytes[at..<(at + 8)])) == u32(at + 8) else { throw EventFileDecodeError.lengthCRC }
        guard at + 16 + length <= bytes.count else { throw EventFileDecodeError.truncated }
        let data = Array(bytes[(at + 12)..<(at + 12 + length)])
        guard CRC32C.masked(CRC32C.checksum(data)) == u32(at + 12 + length) else { throw EventFileDecodeError.dataCRC }
        records.append(data)
        at += 16 + length
    }
    return records
}

/// Decodes the Event fields the writer uses; any other field or wire type is an error.
func decodeEvent(_ bytes: [UInt8]) throws -> DecodedEvent {
    var reader = WireReader(bytes: bytes[...])
    var event = DecodedEvent()
    while let (field, wire) = try reader.key() {
        switch (field, wire) {
        case (1, 1): event.wallTime = Double(bitPattern: try reader.fixed64())
        case (2, 0): event.step = Int64(bitPattern: try reader.varint())
        case (3, 2): event.fileVersion = String(decoding: try reader.bytes(), as: UTF8.self)
        case (5, 2):
            var summary = WireReader(bytes: try reader.bytes())
            while let (f, w) = try summary.key() {
                guard f == 1, w == 2 else { throw EventFileDecodeError.badProtobuf("Summary field \(f)") }
                var value = WireReader(bytes: try summary.bytes())
                var tag: String?
                var number: Float?
                while let (vf, vw) = try value.key() {
                    switch (vf, vw) {
                    case (1, 2): tag = String(decoding: try value.bytes(), as: UTF8.self)
                    case (2, 5): number = Float(bitPattern: try value.fixed32())
                    default: throw EventFileDecodeError.badProtobuf("Value field \(vf)")
                    }
                }
                guard let tag, let number else { throw EventFileDecodeError.badProtobuf("incomplete Value") }
                event.scalars[tag] = number
            }
        default: throw EventFileDecodeError.badProtobuf("Event field \(field) wire \(wire)")
        }
    }
    return event
}

struct WireReader {
    var rest: ArraySlice<UInt8>

    init(bytes: ArraySlice<UInt8>) { rest = bytes }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard let b = rest.popFirst() else { throw EventFileDecodeError.truncated }
            value |= UInt64(b & 0x7F) << UInt64(shift)
            if b < 0x80 { return value }
        }
        throw EventFileDecodeError.badProtobuf("varint too long")
    }

    mutating func key() throws -> (Int, Int)? {
        if rest.isEmpty { return nil }
        let k = try varint()
        return (Int(k >> 3), Int(k & 7))
    }

    mutating func fixed64() throws -> UInt64 {
        guard rest.count >= 8 else { throw EventFileDecodeError.truncated }
        defer { rest = rest.dropFirst(8) }
        return rest.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    mutating func fixed32() throws -> UInt32 {
        guard rest.count >= 4 else { throw EventFileDecodeError.truncated }
        defer { rest = rest.dropFirst(4) }
        return rest.prefix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
    }

    mutating func bytes() throws -> ArraySlice<UInt8> {
        let n = Int(try varint())
        guard rest.count >= n else { throw EventFileDecodeError.truncated }
        defer { rest = rest.dropFirst(n) }
        return rest.prefix(n)
    }
}

func decodeEventFile(_ path: String) throws -> [DecodedEvent] {
    try tfRecords(try fileBytes(path)).map(decodeEvent)
}

// MARK: - Tests

@Suite struct TensorBoardTests {
    @Test func crc32cKnownVectors() {
        // RFC 3720 (iSCSI) appendix B.4 and the common check value.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func maskedCRCsMatchTensorBoards() {
        // From tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c (tensorboard 2.21).
        func lengthBytes(_ n: UInt64) -> [UInt8] { withUnsafeBytes(of: n.littleEndian) { Array($0) } }
        #expect(CRC32C.masked(CRC32C.checksum(lengthBytes(0))) == 0x0798_0329)
        #expect(CRC32C.masked(CRC32C.checksum(lengthBytes(24))) == 0x224B_7FA3)
        #expect(CRC32C.masked(CRC32C.checksum(lengthBytes(300))) == 0x9D5B_FEF2)
        #expect(CRC32C.masked(CRC32C.checksum(Array("hello".utf8))) == 0x191C_1FBB)
    }

    @Test func eventBytesMatchTheProtobufLibrary() {
        // Event(...).SerializeToString() from tensorboard.compat.proto (protobuf 7.36).
        #expect(EventProtobuf.fileVersionEvent(wallTime: 1_700_000_000.25)
                == [9, 0, 0, 16, 64, 252, 84, 217, 65, 26, 13, 98, 114, 97, 105, 110, 46, 69, 118, 101, 110, 116, 58, 50])
        #expect(EventProtobuf.scalarsEvent([("test/accuracy", 0.25), ("lr", 0.2)], step: 7, wallTime: 1.5)
                == [9, 0, 0, 0, 0, 0, 0, 248, 63, 16, 7, 42, 33, 10, 20, 10, 13, 116, 101, 115, 116, 47, 97, 99, 99, 117, 114,
                    97, 99, 121, 21, 0, 0, 128, 62, 10, 9, 10, 2, 108, 114, 21, 205, 204, 76, 62])
        #expect(EventProtobuf.scalarsEvent([("x", 1)], step: -1, wallTime: 0.5)
                == [9, 0, 0, 0, 0, 0, 0, 224, 63, 16, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 42, 10, 10, 8, 10, 1,
                    120, 21, 0, 0, 128, 63])
    }

    @Test func aWrittenFileDecodesRecordByRecord() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let writer = try TensorBoardWriter(directory: folder + "/runs/a", wallTime: 1_700_000_000.5)
        let name = String(writer.path.split(separator: "/").last ?? "")
        #expect(name.hasPrefix("events.out.tfevents.1700000000."))
        #expect(try fileNames(in: folder + "/runs/a") == [name])
        // The version record is on disk at once.
        #expect(try decodeEventFile(writer.path) == [DecodedEvent(wallTime: 1_700_000_000.5, fileVersion: "brain.Event:2")])

        writer.addScalar(tag: TensorBoardTag.batchLoss, value: 2.25, step: 1, wallTime: 1_700_000_001)
        writer.addScalar(tag: TensorBoardTag.batchLoss, value: 1.5, step: 2, wallTime: 1_700_000_002)
        #expect(try decodeEventFile(writer.path).count == 1, "nothing more until flush")
        writer.addScalars([(TensorBoardTag.testAccuracy, 0.9791), (TensorBoardTag.testLoss, 0.07)], step: 2, wallTime: 1_700_000_003)
        try writer.flush()
        let events = try decodeEventFile(writer.path)
        #expect(events.count == 4)
        #expect(events[1] == DecodedEvent(wallTime: 1_700_000_001, step: 1, scalars: ["train/batch_loss": 2.25]))
        #expect(events[2] == DecodedEvent(wallTime: 1_700_000_002, step: 2, scalars: ["train/batch_loss": 1.5]))
        #expect(events[3] == DecodedEvent(wallTime: 1_700_000_003, step: 2, scalars: ["test/accuracy": 0.9791, "test/loss": 0.07]))

        try writer.close()
        try writer.close()  // idempotent
        writer.addScalar(tag: "late", value: 1, step: 9)
        try writer.flush()
        #expect(try decodeEventFile(writer.path).count == 4, "records after close are dropped")
    }

    @Test func defaultWallTimeIsNow() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let before = Date().timeIntervalSince1970
        let writer = try TensorBoardWriter(directory: folder)
        writer.addScalar(tag: "lr", value: 0.2, step: 0)
        try writer.close()
        let events = try decodeEventFile(writer.path)
        let after = Date().timeIntervalSince1970
        for event in events { #expect(event.wallTime.map { $0 >= before - 1 && $0 <= after + 1 } == true) }
        #expect(events.last?.scalars == ["lr": 0.2])
    }

    @Test func twoWritersInOneSecondGetTwoFiles() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let a = try TensorBoardWriter(directory: folder, wallTime: 5)
        let b = try TensorBoardWriter(directory: folder, wallTime: 5)
        #expect(a.path != b.path)
        #expect(b.path == a.path + ".2")
        #expect(try fileNames(in: folder).count == 2)
    }

    @Test func anOddWallTimeDoesNotTrap() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let writer = try TensorBoardWriter(directory: folder, wallTime: .infinity)
        #expect(writer.path.hasPrefix(folder + "/events.out.tfevents.0."))
        writer.addScalar(tag: "x", value: .nan, step: Int.max, wallTime: -.infinity)
        try writer.close()
        let events = try decodeEventFile(writer.path)
        #expect(events.count == 2 && events[1].step == Int64.max && events[1].scalars["x"]?.isNaN == true)
    }

    @Test func largeRunsFlushByThemselvesInWholeRecords() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let writer = try TensorBoardWriter(directory: folder, wallTime: 1)
        for step in 1...3000 { writer.addScalar(tag: TensorBoardTag.batchLoss, value: Float(step), step: step, wallTime: 2) }
        // Past 64 KiB some went out already, and the file holds only whole records.
        let partial = try decodeEventFile(writer.path)
        #expect(partial.count > 1 && partial.count < 3001)
        try writer.close()
        let events = try decodeEventFile(writer.path)
        #expect(events.count == 3001)
        #expect(events.dropFirst().enumerated().allSatisfy { $1.step == Int64($0 + 1) && $1.scalars["train/batch_loss"] == Float($0 + 1) })
    }

    @Test func aFileWhereTheFolderShouldBeIsOneLine() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        try writeBytes([1], to: folder + "/file")
        #expect(throws: TensorBoardError(path: folder + "/file", operation: "write events there", reason: "not a folder")) {
            try TensorBoardWriter(directory: folder + "/file")
        }
        #expect(throws: TensorBoardError(path: folder + "/file/sub", operation: "create the folder", reason: "Not a directory")) {
            try TensorBoardWriter(directory: folder + "/file/sub")
        }
    }

    /// With MNIST_TUI_PEER_OUT set, leaves an event folder of a 3-epoch run shaped like mnist-tui's
    /// for scripts/peers/check-tensorboard.py (TensorBoard's own EventAccumulator reads it back).
    @Test func runForTheTensorBoardPeer() throws {
        let peer = peerOutputFolder()
        let folder = try peer.map { $0 + "/tensorboard" } ?? temporaryFolder()
        defer { if peer == nil { removeTree(folder) } }
        removeTree(folder)
        let writer = try TensorBoardWriter(directory: folder, wallTime: 1_700_000_000)
        let batchesPerEpoch = 10
        for epoch in 1...3 {
            for batch in 1...batchesPerEpoch {
                let step = (epoch - 1) * batchesPerEpoch + batch
                writer.addScalar(tag: TensorBoardTag.batchLoss, value: 2.3 / Float(step), step: step, wallTime: 1_700_000_000 + Double(step))
            }
            let step = epoch * batchesPerEpoch
            writer.addScalars([(TensorBoardTag.trainLoss, 1 / Float(epoch)), (TensorBoardTag.trainAccuracy, 0.9 + Float(epoch) / 100),
                               (TensorBoardTag.testLoss, 1.1 / Float(epoch)), (TensorBoardTag.testAccuracy, 0.89 + Float(epoch) / 100),
                               (TensorBoardTag.learningRate, 0.2)],
                              step: step, wallTime: 1_700_000_000 + Double(step))
            try writer.flush()
        }
        try writer.close()
        let events = try decodeEventFile(writer.path)
        #expect(events.count == 1 + 3 * (batchesPerEpoch + 1))
        #expect(events.last?.scalars["test/accuracy"] == 0.89 + Float(3) / 100)
    }
}
