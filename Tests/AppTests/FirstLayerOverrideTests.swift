// MNIST_TUI_FIRST_LAYER, the verification switch of the sparse first layer: its values reach the
// trainer, and a value it does not know is one line and status 64, as a bad option is.
import Foundation
import Testing

@Suite(.serialized) struct FirstLayerOverrideTests {
    private let arguments = ["--headless", "--train-limit", "512", "--epochs", "1", "--threads", "1"]

    @Test("auto, dense and sparse all train")
    func knownValues() throws {
        for value in ["auto", "dense", "sparse"] {
            let result = try Subprocess.run(binaryPath, arguments, environment: ["MNIST_TUI_FIRST_LAYER": value])
            #expect(result.status == 0, "\(value): \(result.stderr)")
            #expect(result.stdout.contains("Accuracy on test set:"), "\(value): \(result.stdout)")
        }
    }

    @Test("an unknown value: one line naming the variable, status 64, nothing trained")
    func unknownValue() throws {
        let result = try Subprocess.run(binaryPath, arguments, environment: ["MNIST_TUI_FIRST_LAYER": "blas"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "mnist-tui: MNIST_TUI_FIRST_LAYER must be auto, dense or sparse (got 'blas')\n")
    }
}
