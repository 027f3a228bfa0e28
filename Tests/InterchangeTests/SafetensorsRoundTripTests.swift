// The safetensors writer: the exact bytes it produces (layout, names, padding, metadata), and a
// round trip through the reader and through a real file.
import Foundation
import Testing
@testable import Interchange

@Suite struct SafetensorsRoundTripTests {
    /// A 2-3-2 model whose every value is distinct: w0 (i, o) = 10 i + o + 1, b0 = 100 + o...
    static let tiny = MLPWeights(
        layerSizes: [2, 3, 2],
        weights: [[1, 2, 3, 11, 12, 13], [21, 22, 31, 32, 41, 42]],
        biases: [[100, 101, 102], [200, 201]])

    @Test func headerNamesShapesOffsetsAndPadding() throws {
        let bytes = SafetensorsFile.encode(Self.tiny)
        let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        #expect(length % 8 == 0, "the header is padded so the data starts 8-byte aligned")
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        let json = #"{"__metadata__":{"activation":"relu","format":"pt","layers":"2,3,2","producer":"mnist-tui"},"#
            + #""0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"#
            + #""0.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[12,36]},"#
            + #""2.bias":{"dtype":"F32","shape":[2],"data_offsets":[36,44]},"#
            + #""2.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[44,68]}}"#
        #expect(header.hasPrefix(json))
        #expect(header.dropFirst(json.utf8.count).allSatisfy { $0 == " " })
        #expect(header.utf8.count - json.utf8.count < 8)
        #expect(bytes.count == 8 + length + 68)
    }

    @Test func weightsAreTransposedToPyTorchsOutByIn() throws {
        let bytes = SafetensorsFile.encode(Self.tiny)
        let data = Array(bytes.suffix(68))
        let floats = stride(from: 0, to: 68, by: 4).map {
            Float(bitPattern: UInt32(data[$0]) | UInt32(data[$0 + 1]) << 8 | UInt32(data[$0 + 2]) << 16 | UInt32(data[$0 + 3]) << 24)
        }
        // 0.bias, then 0.weight [out=3, in=2] row-major: row o holds w0(i=0, o), w0(i=1, o).
        #expect(Array(floats[0..<3]) == [100, 101, 102])
        #expect(Array(floats[3..<9]) == [1, 11, 2, 12, 3, 13])
        #expect(Array(floats[9..<11]) == [200, 201])
        #expect(Array(floats[11..<17]) == [21, 31, 41, 22, 32, 42])
    }

    @Test func roundTripGivesTheSameWeightsAndMetadata() throws {
        let weights = sampleWeights([784, 512, 256, 10])
        let bytes = SafetensorsFile.encode(weights, metadata: ["dataset": "mnist", "note": "quote \" and\nnewline"])
        let back = try SafetensorsFile.decode(bytes, path: "m.safetensors")
        #expect(back.weights == weights)
        #expect(back.metadata == ["activation": "relu", "format": "pt", "layers": "784,512,256,10",
                                  "producer": "mnist-tui", "dataset": "mnist", "note": "quote \" and\nnewline"])
    }

    @Test func callerMetadataCannotOverrideTheArchitecture() throws {
        let bytes = SafetensorsFile.encode(Self.tiny, metadata: ["layers": "9,9", "format": "np"])
        let back = try SafetensorsFile.decode(bytes, path: "m.safetensors")
        #expect(back.metadata["layers"] == "2,3,2")
        #expect(back.metadata["format"] == "pt")
    }

    @Test func deeperModelsUseEveryOtherIndex() throws {
        let weights = sampleWeights([5, 4, 4, 4, 3])
        let bytes = SafetensorsFile.encode(weights)
        let header = String(decoding: bytes.prefix(8 + Int(bytes[0]) + Int(bytes[1]) << 8), as: UTF8.self)
        for name in ["0.weight", "2.weight", "4.weight", "6.weight", "6.bias"] { #expect(header.contains("\"\(name)\"")) }
        #expect(!header.contains("\"1.weight\""))
        #expect(try SafetensorsFile.decode(bytes, path: "m").weights == weights)
    }

    @Test func fileRoundTripIsAtomicAndReplacesAnOldFile() throws {
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let path = folder + "/model.safetensors"
        try writeBytes(Array("old".utf8), to: path)
        let weights = sampleWeights([6, 5, 4])
        try SafetensorsFile.write(weights, metadata: ["run": "1"], to: path)
        #expect(try fileNames(in: folder) == ["model.safetensors"], "no temporary file left behind")
        #expect(try fileBytes(path) == SafetensorsFile.encode(weights, metadata: ["run": "1"]))
        let read = try SafetensorsFile.read(from: path)
        #expect(read.weights == weights)
        #expect(read.metadata["run"] == "1")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = try #require(attributes[.posixPermissions] as? Int)
        #expect(mode & 0o044 != 0, "readable by others like any file the user saves (not mkstemp's 0600)")
    }

    @Test func writeIntoAMissingFolderFailsWithOneLine() throws {
        let error = #expect(throws: SafetensorsError.self) {
            try SafetensorsFile.write(Self.tiny, to: "/nonexistent-folder-xyz/model.safetensors")
        }
        let message = try #require(error).description
        #expect(message.hasPrefix("/nonexistent-folder-xyz/model.safetensors: cannot create a temporary file"))
        #expect(!message.contains("\n"))
    }

    @Test func packedVectorIsTheEnginesLayout() {
        // W0 [2, 3], b0 [3], W1 [3, 2], b1 [2], one after the other.
        let packed: [Float] = [1, 2, 3, 11, 12, 13, 100, 101, 102, 21, 22, 31, 32, 41, 42, 200, 201]
        #expect(MLPWeights(layerSizes: [2, 3, 2], packed: packed) == Self.tiny)
        #expect(Self.tiny.packed == packed)
        let big = sampleWeights([784, 512, 256, 10])
        #expect(MLPWeights(layerSizes: big.layerSizes, packed: big.packed) == big)
    }

    @Test func forwardUsesTheInOutLayout() {
        // x = (1, 2): hidden = relu(x W0 + b0) with W0 [in, out] = [[1, 2, 3], [11, 12, 13]].
        let hidden: [Float] = [100 + 1 + 22, 101 + 2 + 24, 102 + 3 + 26]
        let expected: [Float] = [200 + hidden[0] * 21 + hidden[1] * 31 + hidden[2] * 41,
                                 201 + hidden[0] * 22 + hidden[1] * 32 + hidden[2] * 42]
        #expect(Self.tiny.forward([1, 2]) == expected)
    }
}
