// Evaluation of a TrainingSession's network on the test split, at the end of each epoch.

extension TrainingSession {
    /// Test loss, accuracy, confusion, every prediction and every misclassified image (allocates:
    /// once per epoch, outside the training pass and its timing).
    func evaluate() -> EpochMetrics {
        let test = dataset.test
        let classes = mlp.classCount
        var confusion = ConfusionMatrix(classes: classes)
        var predictions = [UInt8](repeating: 0, count: test.count)
        var misclassified: [Misclassified] = []
        var lossSum = 0.0
        var start = 0
        while start < test.count {
            let count = min(mlp.maxBatch, test.count - start)
            input.load(test, range: start..<(start + count))
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
        let testCount = max(test.count, 1)
        let samples = max(position.epochSamples, 1)
        return EpochMetrics(
            epoch: position.epoch, epochs: config.epochs,
            trainLoss: position.epochLossSum / Double(samples),
            trainAccuracy: Double(position.epochCorrect) / Double(samples),
            testLoss: lossSum / Double(testCount),
            testAccuracy: Double(test.count - misclassified.count) / Double(testCount),
            trainSeconds: position.epochTrainSeconds, learningRate: position.learningRate,
            confusion: confusion, predictions: predictions, misclassified: misclassified)
    }
}
