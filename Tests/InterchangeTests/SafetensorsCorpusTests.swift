// The fuzzer's committed seeds (Fuzz/corpus/safetensors, from Fuzz/make-safetensors-seeds.py, an
// independent writer) and its findings: each gets the verdict its name promises.
import Foundation
import Testing
@testable import Interchange

/// A file of Fuzz/corpus/safetensors.
func corpusFile(_ name: String) throws -> [UInt8] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try fileBytes(root.appendingPathComponent("Fuzz/corpus/safetensors/\(name)").path)
}

@Suite struct SafetensorsCorpusTests {
    @Test(arguments: ["valid-3-2-2", "valid-no-metadata", "valid-prefix", "valid-unsorted", "pytorch-4-3-2", "pytorch-quickstart-4-5-3-2"])
    func validSeedsDecode(_ name: String) throws {
        let contents = try SafetensorsFile.decode(try corpusFile(name), path: name)
        #expect(contents.weights.layerCount >= 2)
    }

    @Test func theIndependentWritersValuesArriveTransposed() throws {
        // make-safetensors-seeds.py: 0.weight [2, 3] holds ((i % 13) - 6) / 8 for i = 0..<6 row-major.
        let w = try SafetensorsFile.decode(try corpusFile("valid-3-2-2"), path: "seed").weights
        let pytorch: [Float] = (0..<6).map { Float($0 % 13 - 6) / 8 }  // [out=2, in=3]
        #expect(w.weights[0] == [pytorch[0], pytorch[3], pytorch[1], pytorch[4], pytorch[2], pytorch[5]])
        #expect(w.layerSizes == [3, 2, 2])
    }

    @Test func brokenSeedsAreRefusedForTheirReason() throws {
        func problem(_ name: String) throws -> SafetensorsError.Problem? {
            do { _ = try SafetensorsFile.decode(try corpusFile(name), path: name); return nil } catch let error as SafetensorsError { return error.problem }
        }
        #expect(try problem("huge-header-length") == .headerPastEnd(headerLength: 1 << 60, fileSize: 312))
        #expect(try problem("header-past-end") == .headerPastEnd(headerLength: 4096, fileSize: 312))
        #expect(try problem("f64") == .unsupportedDType(tensor: "0.bias", dtype: "F64"))
        #expect(try problem("trailing-bytes") == .uncoveredBytes(begin: 56, end: 60))
        #expect(try problem("missing-bias") == .missingTensor(name: "2.bias"))
        #expect(try problem("metadata-mismatch") == .metadataMismatch(key: "layers", stored: "784,512,256,10", actual: "3,2,2"))
        #expect(try problem("offsets-out-of-range") == .offsetsOutOfRange(tensor: "2.weight", begin: 40, end: 1056, dataSize: 56))
        guard case .badJSON = try problem("bad-json") else { Issue.record("bad-json"); return }
        guard case .unexpectedTensor(name: "1.weight", _) = try problem("extra-tensor") else { Issue.record("extra-tensor"); return }
        guard case .shapesDoNotChain(tensor: "2.weight", inputs: 3, _, previousOutputs: 2) = try problem("shapes-do-not-chain") else {
            Issue.record("shapes-do-not-chain"); return
        }
        guard case .nonFinite(tensor: "0.weight", index: [0, 0], _) = try problem("non-finite") else { Issue.record("non-finite"); return }
        #expect(try problem("overlap") == .offsetsOverlap(first: "0.bias", second: "0.weight"))
    }

    /// With MNIST_TUI_PEER_CORPUS=DIR and MNIST_TUI_PEER_OUT=OUT set, writes this reader's verdict on
    /// every file of DIR (a fuzzing corpus) to OUT/safetensors-verdicts.json, for
    /// scripts/peers/compare-safetensors-reference.py to compare with the reference implementation.
    @Test func verdictsForTheReferencePeer() throws {
        guard let corpus = ProcessInfo.processInfo.environment["MNIST_TUI_PEER_CORPUS"], let out = peerOutputFolder() else { return }
        var verdicts: [String: Any] = [:]
        for name in try fileNames(in: corpus) {
            do {
                let w = try SafetensorsFile.decode(try fileBytes(corpus + "/" + name), path: name).weights
                verdicts[name] = ["ok": true, "layers": w.layerSizes,
                                  "weights": w.weights.map { $0.map(Double.init) }, "biases": w.biases.map { $0.map(Double.init) }]
            } catch let error as SafetensorsError {
                verdicts[name] = ["ok": false, "problem": "\(error.problem)", "kind": Mirror(reflecting: error.problem).children.first?.label ?? "\(error.problem)"]
            }
        }
        try JSONSerialization.data(withJSONObject: verdicts).write(to: URL(fileURLWithPath: out + "/safetensors-verdicts.json"))
    }
}
