// Every way a safetensors file can be wrong gets its own test: the reader refuses it with a one-line
// message naming the file and saying what is wrong, and never traps or allocates what a header claims.
import Foundation
import Testing
@testable import Interchange

/// A file of a 2-3-2 model with a hand-written header, to break one thing at a time.
private enum Raw {
    static func entry(_ name: String, _ shape: [Int], _ begin: Int, _ end: Int, dtype: String = "F32") -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}"
    }

    static let valid = [entry("0.bias", [3], 0, 12), entry("0.weight", [3, 2], 12, 36),
                        entry("2.bias", [2], 36, 44), entry("2.weight", [2, 3], 44, 68)]

    /// 8-byte length (or `declaredLength`), the header, then `dataCount` bytes of float 0.5.
    static func file(_ entries: [String] = valid, metadata: String? = nil, dataCount: Int = 68,
                     declaredLength: UInt64? = nil) -> [UInt8] {
        let parts = (metadata.map { ["\"__metadata__\":\($0)"] } ?? []) + entries
        return file(header: "{" + parts.joined(separator: ",") + "}", dataCount: dataCount, declaredLength: declaredLength)
    }

    static func file(header: String, dataCount: Int = 68, declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += headerBytes
        for _ in 0..<(dataCount / 4) { withUnsafeBytes(of: Float(0.5).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        bytes += [UInt8](repeating: 0, count: dataCount % 4)
        return bytes
    }

    /// The problem decoding `bytes` reports, after checking its message is one line naming the file.
    static func problem(_ bytes: [UInt8]) -> SafetensorsError.Problem? {
        do {
            _ = try SafetensorsFile.decode(bytes, path: "dir/m.safetensors")
            return nil
        } catch {
            #expect(error.description.hasPrefix("dir/m.safetensors: "))
            #expect(!error.description.contains("\n"))
            return error.problem
        }
    }

    static func replacing(_ index: Int, with entry: String) -> [String] {
        var entries = valid
        entries[index] = entry
        return entries
    }
}

@Suite struct SafetensorsMalformedTests {
    @Test func theBaselineIsValid() throws {
        let contents = try SafetensorsFile.decode(Raw.file(), path: "m")
        #expect(contents.weights.layerSizes == [2, 3, 2])
        #expect(contents.weights.weights[0] == [Float](repeating: 0.5, count: 6))
    }

    // MARK: The 8-byte length

    @Test func shorterThanTheLengthField() {
        #expect(Raw.problem([1, 2, 3]) == .tooShort(size: 3))
        #expect(Raw.problem([]) == .tooShort(size: 0))
    }

    @Test func headerLengthPastTheEnd() {
        let bytes = Raw.file()
        #expect(Raw.problem(Raw.file(declaredLength: UInt64(bytes.count - 7))) == .headerPastEnd(headerLength: UInt64(bytes.count - 7), fileSize: bytes.count))
    }

    @Test func aHeaderLengthOf2To60IsRefusedWithoutAllocating() throws {
        let bytes = Raw.file(declaredLength: 1 << 60)
        #expect(Raw.problem(bytes) == .headerPastEnd(headerLength: 1 << 60, fileSize: bytes.count))
        // Through a file too: the reader reads 8 bytes, then stops.
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        try writeBytes(bytes, to: folder + "/huge.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile.read(from: folder + "/huge.safetensors") }
        #expect(error?.description == "\(folder)/huge.safetensors: header length 1152921504606846976 runs past the end of the file (\(bytes.count) bytes): truncated, or not a safetensors file")
        // And the largest length of all.
        #expect(Raw.problem(Raw.file(declaredLength: .max)) == .headerPastEnd(headerLength: .max, fileSize: bytes.count))
    }

    @Test func headerAboveTheFormatsLimit() {
        #expect(throws: SafetensorsError.Problem.headerTooLarge(headerLength: 100_000_001)) {
            try SafetensorsHeader.length(prefix: [0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0], fileSize: 200_000_000)
        }
    }

    // MARK: The JSON

    @Test func badJSON() {
        guard case .badJSON = Raw.problem(Raw.file(header: "{\"0.bias\":{\"dtype\":")) else { Issue.record("truncated JSON accepted"); return }
        guard case .badJSON = Raw.problem(Raw.file(header: "{\"0.bias\" 1}")) else { Issue.record("missing colon accepted"); return }
        guard case .badJSON = Raw.problem(Raw.file(header: "{} {}")) else { Issue.record("trailing text accepted"); return }
    }

    @Test func duplicateKeysAreBadJSONHere() {
        let entries = Raw.valid + [Raw.entry("0.bias", [3], 0, 12)]
        guard case .badJSON(_, let detail) = Raw.problem(Raw.file(entries)) else { Issue.record("duplicate key accepted"); return }
        #expect(detail == "duplicate key 0.bias")
    }

    @Test func headerNotUTF8() {
        var bytes = Raw.file()
        bytes[9] = 0xFF
        #expect(Raw.problem(bytes) == .headerNotUTF8)
    }

    @Test func headerNotAnObject() {
        #expect(Raw.problem(Raw.file(header: "[1, 2]", dataCount: 0)) == .badHeader("the header is an array, not an object"))
    }

    @Test func trailingSpacesAreAllowedAsPadding() throws {
        let header = "{" + Raw.valid.joined(separator: ",") + "}   \n\t "
        #expect(try SafetensorsFile.decode(Raw.file(header: header), path: "m").weights.layerSizes == [2, 3, 2])
    }

    @Test func noTensors() {
        #expect(Raw.problem(Raw.file(header: "{}", dataCount: 0)) == .noTensors)
        #expect(Raw.problem(Raw.file([], metadata: "{\"a\":\"b\"}", dataCount: 0)) == .noTensors)
    }

    @Test func tensorEntryFields() {
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"shape\":[3],\"data_offsets\":[0,12]}")))
                == .badHeader("tensor 0.bias has no dtype"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12],\"x\":1}")))
                == .badHeader("tensor 0.bias has an unknown field x"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0]}")))
                == .badHeader("tensor 0.bias: data_offsets has 1 numbers, not 2"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3.0],\"data_offsets\":[0,12]}")))
                == .badHeader("tensor 0.bias: shape holds a number that is not a non-negative integer"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[true],\"data_offsets\":[0,12]}")))
                == .badHeader("tensor 0.bias: shape holds a boolean that is not a non-negative integer"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[-4,12]}")))
                == .badHeader("tensor 0.bias: data_offsets holds a number that is not a non-negative integer"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: "\"0.bias\":[1]"))) == .badHeader("tensor 0.bias is an array, not an object"))
    }

    @Test func metadataValuesMustBeStrings() {
        #expect(Raw.problem(Raw.file(metadata: "{\"layers\":[2,3,2]}")) == .badHeader("__metadata__ layers is an array; the format allows only strings"))
        #expect(Raw.problem(Raw.file(metadata: "\"x\"")) == .badHeader("__metadata__ is a string, not an object"))
    }

    // MARK: dtype, offsets, sizes

    @Test func wrongDType() {
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [3, 2], 12, 36, dtype: "F64"))))
                == .unsupportedDType(tensor: "0.weight", dtype: "F64"))
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [3, 2], 12, 24, dtype: "BF16"))))
                == .unsupportedDType(tensor: "0.weight", dtype: "BF16"))
    }

    @Test func offsetsOutOfRange() {
        #expect(Raw.problem(Raw.file(Raw.replacing(3, with: Raw.entry("2.weight", [2, 3], 44, 68)), dataCount: 60))
                == .offsetsOutOfRange(tensor: "2.weight", begin: 44, end: 68, dataSize: 60))
        let huge = Int.max - 3
        #expect(Raw.problem(Raw.file(Raw.replacing(3, with: Raw.entry("2.weight", [2, 3], huge, huge))))
                == .offsetsOutOfRange(tensor: "2.weight", begin: huge, end: huge, dataSize: 68))
    }

    @Test func offsetsReversed() {
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: Raw.entry("0.bias", [3], 12, 0))))
                == .offsetsReversed(tensor: "0.bias", begin: 12, end: 0))
    }

    @Test func offsetsBeyondIntAreNotIntegers() {
        let entry = "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[44,99999999999999999999]}"
        #expect(Raw.problem(Raw.file(Raw.replacing(3, with: entry)))
                == .badHeader("tensor 2.weight: data_offsets holds a number that is not a non-negative integer"))
    }

    @Test func offsetsThatDoNotMatchTheShape() {
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [3, 3], 12, 36))))
                == .sizeMismatch(tensor: "0.weight", shape: [3, 3], byteCount: 24))
        // A shape whose element count overflows Int.
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [1 << 62, 1 << 62], 12, 36))))
                == .sizeMismatch(tensor: "0.weight", shape: [1 << 62, 1 << 62], byteCount: 24))
    }

    @Test func overlappingOffsets() {
        // 0.weight moved 4 bytes earlier into 0.bias; the data grows so nothing else changes.
        let entries = Raw.replacing(1, with: Raw.entry("0.weight", [3, 2], 8, 32))
        #expect(Raw.problem(Raw.file(entries)) == .offsetsOverlap(first: "0.bias", second: "0.weight"))
        // Two tensors at the same place.
        let same = Raw.replacing(2, with: Raw.entry("2.bias", [2], 0, 8))
        #expect(Raw.problem(Raw.file(same)) == .offsetsOverlap(first: "2.bias", second: "0.bias"))
    }

    @Test func holesAndTrailingBytesAreRefused() {
        // A gap of 4 bytes between 0.weight and 2.bias.
        let gap = [Raw.entry("0.bias", [3], 0, 12), Raw.entry("0.weight", [3, 2], 12, 36),
                   Raw.entry("2.bias", [2], 40, 48), Raw.entry("2.weight", [2, 3], 48, 72)]
        #expect(Raw.problem(Raw.file(gap, dataCount: 72)) == .uncoveredBytes(begin: 36, end: 40))
        // Nothing at the start.
        let late = [Raw.entry("0.bias", [3], 4, 16), Raw.entry("0.weight", [3, 2], 16, 40),
                    Raw.entry("2.bias", [2], 40, 48), Raw.entry("2.weight", [2, 3], 48, 72)]
        #expect(Raw.problem(Raw.file(late, dataCount: 72)) == .uncoveredBytes(begin: 0, end: 4))
        // Bytes after the last tensor.
        #expect(Raw.problem(Raw.file(dataCount: 69)) == .uncoveredBytes(begin: 68, end: 69))
    }

    // MARK: The model

    @Test func missingTensor() {
        // 0.bias dropped from the header alone: its bytes are a hole, found first.
        #expect(Raw.problem(Raw.file(Array(Raw.valid.dropFirst()))) == .uncoveredBytes(begin: 0, end: 12))
        // Dropped with its bytes: named.
        let packed = [Raw.entry("0.weight", [3, 2], 0, 24), Raw.entry("2.bias", [2], 24, 32), Raw.entry("2.weight", [2, 3], 32, 56)]
        #expect(Raw.problem(Raw.file(packed, dataCount: 56)) == .missingTensor(name: "0.bias"))
        // A whole middle layer missing (indices 0 and 4).
        let skipped = [Raw.entry("0.bias", [3], 0, 12), Raw.entry("0.weight", [3, 2], 12, 36),
                       Raw.entry("4.bias", [2], 36, 44), Raw.entry("4.weight", [2, 3], 44, 68)]
        #expect(Raw.problem(Raw.file(skipped)) == .missingTensor(name: "2.weight"))
    }

    @Test func extraTensor() {
        let extra = Raw.valid + [Raw.entry("running_mean", [1], 68, 72)]
        #expect(Raw.problem(Raw.file(extra, dataCount: 72))
                == .unexpectedTensor(name: "running_mean", expected: "0.weight, 0.bias, 2.weight, 2.bias, ..."))
        // An odd index is a ReLU's place: no parameters there.
        let odd = Raw.valid + [Raw.entry("1.weight", [1], 68, 72)]
        #expect(Raw.problem(Raw.file(odd, dataCount: 72))
                == .unexpectedTensor(name: "1.weight", expected: "0.weight, 0.bias, 2.weight, 2.bias, ..."))
        // Two prefixes.
        let mixed = Raw.replacing(3, with: Raw.entry("net.2.weight", [2, 3], 44, 68))
        guard case .unexpectedTensor = Raw.problem(Raw.file(mixed)) else { Issue.record("mixed prefixes accepted"); return }
        // A leading zero is not an index PyTorch writes.
        let zero = Raw.replacing(3, with: Raw.entry("02.weight", [2, 3], 44, 68))
        guard case .unexpectedTensor = Raw.problem(Raw.file(zero)) else { Issue.record("02.weight accepted"); return }
    }

    @Test func wrongShape() {
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [6], 12, 36))))
                == .wrongShape(tensor: "0.weight", shape: [6], expected: "[out, in] with both above 0"))
        #expect(Raw.problem(Raw.file(Raw.replacing(0, with: Raw.entry("0.bias", [1, 3], 0, 12))))
                == .wrongShape(tensor: "0.bias", shape: [1, 3], expected: "[3] as 0.weight has 3 outputs"))
        #expect(Raw.problem(Raw.file(Raw.replacing(1, with: Raw.entry("0.weight", [2, 3], 12, 36))))
                == .wrongShape(tensor: "0.bias", shape: [3], expected: "[2] as 0.weight has 2 outputs"))
    }

    @Test func shapesThatDoNotChain() {
        // Layer 0 gives 3 outputs, layer 1 takes 6 inputs, as [1, 6].
        let entries = [Raw.entry("0.bias", [3], 0, 12), Raw.entry("0.weight", [3, 2], 12, 36),
                       Raw.entry("2.bias", [1], 36, 40), Raw.entry("2.weight", [1, 6], 40, 64)]
        #expect(Raw.problem(Raw.file(entries, dataCount: 64))
                == .shapesDoNotChain(tensor: "2.weight", inputs: 6, previous: "0.weight", previousOutputs: 3))
    }

    @Test func nonFiniteWeightsAreRefused() {
        for bad in [Float.nan, .infinity, -.infinity] {
            var bytes = Raw.file()
            let dataStart = bytes.count - 68
            // 0.weight [3, 2] starts at data byte 12; element [2, 1] is the 6th (byte 12 + 20).
            withUnsafeBytes(of: bad.bitPattern.littleEndian) { bytes.replaceSubrange((dataStart + 32)..<(dataStart + 36), with: $0) }
            guard case .nonFinite(let tensor, let index, let value) = Raw.problem(bytes) else { Issue.record("\(bad) accepted"); continue }
            #expect(tensor == "0.weight" && index == [2, 1])
            #expect(value.isNaN == bad.isNaN && (bad.isNaN || value == bad))
        }
    }

    @Test func metadataThatContradictsTheTensors() {
        #expect(Raw.problem(Raw.file(metadata: "{\"layers\":\"784,512,256,10\"}"))
                == .metadataMismatch(key: "layers", stored: "784,512,256,10", actual: "2,3,2"))
        #expect(Raw.problem(Raw.file(metadata: "{\"activation\":\"tanh\"}"))
                == .metadataMismatch(key: "activation", stored: "tanh", actual: "relu (the only one supported)"))
        #expect(throws: Never.self) { try SafetensorsFile.decode(Raw.file(metadata: "{\"layers\":\"2,3,2\",\"activation\":\"ReLU\"}"), path: "m") }
    }

    // MARK: Messages

    @Test func hostileNamesStayOnOneLine() {
        let entries = Raw.valid + [Raw.entry("evil\\nname\\u2028", [1], 68, 72)]
        let bytes = Raw.file(entries, dataCount: 72)
        do {
            _ = try SafetensorsFile.decode(bytes, path: "m.safetensors")
            Issue.record("accepted")
        } catch {
            #expect(error.description == #"m.safetensors: unexpected tensor "evil\u{a}name\u{2028}": expected the Linear layers of an nn.Sequential (0.weight, 0.bias, 2.weight, 2.bias, ...)"#)
        }
    }

    @Test func fileErrorsNameTheFile() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        #expect(throws: SafetensorsError(path: folder + "/none", problem: .system(operation: "open it", reason: "No such file or directory"))) {
            try SafetensorsFile.read(from: folder + "/none")
        }
        #expect(throws: SafetensorsError(path: folder, problem: .notARegularFile)) { try SafetensorsFile.read(from: folder) }
        try writeBytes(Raw.file(header: "{\"0.bias\":"), to: folder + "/bad.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile.read(from: folder + "/bad.safetensors") }
        #expect(error?.description == "\(folder)/bad.safetensors: the header is not valid JSON (byte 10 of the header: unexpected end)")
    }
}
