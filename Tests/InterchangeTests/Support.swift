// Helpers shared by the Interchange tests: temporary folders, raw file bytes, fixtures, and
// deterministic weights.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import Interchange

/// A fresh empty folder under /tmp for one test.
func temporaryFolder() throws -> String {
    var template = Array("/tmp/mnist-tui-interchange-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    try #require(made != nil)
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

func removeTree(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func fileNames(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
}

/// Tests/InterchangeTests/Fixtures/NAME.
func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// The folder where tests leave files for the peer scripts when MNIST_TUI_PEER_OUT is set
/// (scripts/peers/check-safetensors-export.py, check-tensorboard.py), else nil.
func peerOutputFolder() -> String? {
    guard let folder = ProcessInfo.processInfo.environment["MNIST_TUI_PEER_OUT"], !folder.isEmpty else { return nil }
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder
}

/// Weights of the given sizes with distinct, reproducible values (a simple LCG, so every element
/// differs and a transposition mistake cannot hide).
func sampleWeights(_ sizes: [Int], seed: UInt64 = 1) -> MLPWeights {
    var state = seed
    func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 10_000  // in [-0.1, 0.1]
    }
    var weights: [[Float]] = []
    var biases: [[Float]] = []
    for l in 0..<(sizes.count - 1) {
        weights.append((0..<(sizes[l] * sizes[l + 1])).map { _ in next() })
        biases.append((0..<sizes[l + 1]).map { _ in next() })
    }
    return MLPWeights(layerSizes: sizes, weights: weights, biases: biases)
}

/// The inputs and PyTorch outputs stored beside a fixture by make-safetensors-fixture.py.
struct ExpectedOutputs: Decodable {
    let inputs: [[Double]]
    let outputs: [[Double]]
    let keys: [String]

    static func load(_ name: String) throws -> ExpectedOutputs {
        try JSONDecoder().decode(ExpectedOutputs.self, from: Data(contentsOf: URL(fileURLWithPath: fixturePath(name))))
    }
}
