// Evaluation on the test split: at the end of each training epoch (`TrainingSession.evaluate`), and
// of a finished model with no training at all (`ModelEvaluation`, for `mnist-tui evaluate`). Both
// run the same pass, so a model evaluated alone gets exactly the figures its training run showed.
import MNISTData

/// One forward pass of a network over a test split, in chunks of the batch buffers' size.
struct TestPass {
    var lossSum = 0.0
    var confusion: ConfusionMatrix
    var predictions: [UInt8]
    var misclassified: [Misclassified] = []

    /// Test loss, confusion, every prediction and every misclassified image (allocates: once per
    /// evaluation, outside the training pass and its timing).
    init(mlp: MLP, input: InputBatch, test: LabeledImages) {
        let classes = mlp.classCount
        confusion = ConfusionMatrix(classes: classes)
        predictions = [UInt8](repeating: 0, count: test.count)
        var start = 0
        while start < test.count {
            let count = min(mlp.maxBatch, test.count - start)
            input.load(test, range: start..<(start + count))
            input.applyBlasThreads()
            lossSum += mlp.forward(input, batch: count)
            for row in 0..<count {
                let truth = Int(input.labels[row]), predicted = Int(mlp.predictions[row])
                confusion[truth, predicted] += 1
                predictions[start + row] = UInt8(truncatingIfNeeded: predicted)
                if truth != predicted {
                    let probabilities = Array(UnsafeBufferPointer(start: mlp.probabilities + row * classes, count: classes))
                    misclassified.append(Misclassified(testIndex: start + row, label: truth, predicted: predicted,
                                                       probabilities: probabilities))
                }
            }
            start += count
        }
    }

    var testLoss: Double { lossSum / Double(max(predictions.count, 1)) }
    var testAccuracy: Double { Double(predictions.count - misclassified.count) / Double(max(predictions.count, 1)) }
}

extension TrainingSession {
    /// The end-of-epoch figures: this epoch's training figures and a pass over the test split.
    func evaluate() -> EpochMetrics {
        let pass = TestPass(mlp: mlp, input: input, test: dataset.test)
        let samples = max(position.epochSamples, 1)
        return EpochMetrics(
            epoch: position.epoch, epochs: config.epochs,
            trainLoss: position.epochLossSum / Double(samples),
            trainAccuracy: Double(position.epochCorrect) / Double(samples),
            testLoss: pass.testLoss, testAccuracy: pass.testAccuracy,
            trainSeconds: position.epochTrainSeconds, learningRate: position.learningRate,
            confusion: pass.confusion, predictions: pass.predictions, misclassified: pass.misclassified)
    }
}

/// A trained network's parameters evaluated on a dataset's test split, with no training.
public enum ModelEvaluation {
    /// The network does not fit the dataset (its input is not the image size, or it has fewer
    /// outputs than the dataset has classes), or the parameters are not the network's.
    public struct Mismatch: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Test loss, accuracy, confusion and misclassified images of the network `layerSizes` with
    /// `parameters` (packed as `MLP.parameters`: W0, b0, W1, b1...) on `dataset.test`, as the
    /// `.epoch` event of a run would carry them. Train figures are NaN (nothing was trained);
    /// `epoch` and `epochs` say how many epochs made the model, when known.
    public static func evaluate(layerSizes: [Int], parameters: [Float], dataset: Dataset, threads: Int,
                                epoch: Int = 0, epochs: Int = 0) throws(Mismatch) -> EpochMetrics {
        guard let layout = ParameterLayout(layerSizes: layerSizes) else {
            throw Mismatch(description: "the network \(layerSizes) is not a valid layer chain")
        }
        guard layerSizes[0] == dataset.test.pixelsPerImage else {
            throw Mismatch(description: "the network takes \(layerSizes[0]) inputs, the dataset's images have \(dataset.test.pixelsPerImage) pixels")
        }
        guard layerSizes[layerSizes.count - 1] >= dataset.classCount else {
            throw Mismatch(description: "the network has \(layerSizes[layerSizes.count - 1]) outputs, the dataset has \(dataset.classCount) classes")
        }
        guard parameters.count == layout.count else {
            throw Mismatch(description: "\(parameters.count) parameters given, the network \(layerSizes) has \(layout.count)")
        }
        BlasThreads.set(threads)
        let maxBatch = min(TrainingSession.evaluationBatch, max(dataset.test.count, 1))
        let mlp = MLP(layout: layout, maxBatch: maxBatch)
        mlp.load(parameters: parameters)
        let input = InputBatch(maxBatch: maxBatch, inputSize: mlp.inputSize)
        let pass = TestPass(mlp: mlp, input: input, test: dataset.test)
        return EpochMetrics(
            epoch: epoch, epochs: epochs, trainLoss: .nan, trainAccuracy: .nan,
            testLoss: pass.testLoss, testAccuracy: pass.testAccuracy, trainSeconds: 0, learningRate: 0,
            confusion: pass.confusion, predictions: pass.predictions, misclassified: pass.misclassified)
    }
}
