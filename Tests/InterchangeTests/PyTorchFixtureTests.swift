// Files written by real PyTorch (`safetensors.torch.save_file(model.state_dict(), path)`, made by
// scripts/peers/make-safetensors-fixture.py and committed): the reader gives the same function
// PyTorch computed, not only plausible numbers.
import Foundation
import Testing
@testable import Interchange

@Suite struct PyTorchFixtureTests {
    /// Runs the fixture's stored inputs through the loaded model and compares with PyTorch's outputs.
    private func expectSameOutputs(_ name: String, sizes: [Int]) throws {
        let contents = try SafetensorsFile.read(from: fixturePath(name + ".safetensors"))
        #expect(contents.weights.layerSizes == sizes)
        #expect(contents.metadata.isEmpty, "PyTorch's save_file writes no __metadata__ unless asked")
        let expected = try ExpectedOutputs.load(name + ".json")
        #expect(expected.inputs.count == 5)
        for (input, output) in zip(expected.inputs, expected.outputs) {
            let ours = contents.weights.forward(input.map { Float($0) })
            #expect(ours.count == output.count)
            for (a, b) in zip(ours, output) {
                #expect(abs(Double(a) - b) <= 1e-5 * max(1, abs(b)), "\(name): \(ours) vs PyTorch \(output)")
            }
        }
    }

    @Test func tutorialSequential() throws {
        try expectSameOutputs("pytorch-4-3-2", sizes: [4, 3, 2])
        #expect(try ExpectedOutputs.load("pytorch-4-3-2.json").keys == ["0.bias", "0.weight", "2.bias", "2.weight"])
    }

    @Test func quickstartModuleWithAPrefix() throws {
        try expectSameOutputs("pytorch-quickstart-4-5-3-2", sizes: [4, 5, 3, 2])
    }

    @Test func aModelThatDoesNotFitTheDataIsRefused() throws {
        let path = fixturePath("pytorch-4-3-2.safetensors")
        let weights = try SafetensorsFile.read(from: path).weights
        #expect(throws: Never.self) { try SafetensorsFile.requireFit(weights, inputs: 4, classes: 2, path: path) }
        #expect(throws: SafetensorsError(path: path, problem: .wrongModelSize(what: "inputs", model: 4, expected: 784))) {
            try SafetensorsFile.requireFit(weights, inputs: 784, classes: 10, path: path)
        }
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile.requireFit(weights, inputs: 4, classes: 10, path: path) }
        #expect(error?.description == "\(path): the model has 2 outputs, the data needs 10")
    }

    @Test func float64IsRefusedByName() throws {
        let path = fixturePath("pytorch-f64-4-3-2.safetensors")
        let error = #expect(throws: SafetensorsError.self) { try SafetensorsFile.read(from: path) }
        #expect(error?.description == "\(path): tensor 0.bias has dtype F64; only F32 is supported (in PyTorch: model.float() before saving)")
    }

    @Test func pyTorchsBytesDecodeToTheSameAsOurReencoding() throws {
        // Our writer's file for PyTorch's weights has PyTorch's tensor order and offsets; only the
        // header differs (our __metadata__), so the data sections are byte-identical.
        let original = try fileBytes(fixturePath("pytorch-4-3-2.safetensors"))
        let contents = try SafetensorsFile.decode(original, path: "fixture")
        let ours = SafetensorsFile.encode(contents.weights)
        #expect(Array(ours.suffix(92)) == Array(original.suffix(92)))
        #expect(try SafetensorsFile.decode(ours, path: "ours").weights == contents.weights)
    }

    /// With MNIST_TUI_PEER_OUT set, leaves a full-size export and its expected outputs for
    /// scripts/peers/check-safetensors-export.py (PyTorch loads it into the tutorial's model).
    @Test func exportForThePyTorchPeer() throws {
        let weights = sampleWeights([784, 512, 256, 10], seed: 7)
        let inputs = (0..<3).map { k in (0..<784).map { Float(($0 * (k + 3)) % 17) / 16 } }
        let outputs = inputs.map { weights.forward($0) }
        #expect(outputs.allSatisfy { $0.count == 10 && $0.allSatisfy(\.isFinite) })
        guard let folder = peerOutputFolder() else { return }
        try SafetensorsFile.write(weights, metadata: ["dataset": "synthetic"], to: folder + "/mnist-tui-784-512-256-10.safetensors")
        let json = try JSONSerialization.data(withJSONObject: ["inputs": inputs.map { $0.map(Double.init) },
                                                               "outputs": outputs.map { $0.map(Double.init) }])
        try json.write(to: URL(fileURLWithPath: folder + "/mnist-tui-784-512-256-10.json"))
    }
}
