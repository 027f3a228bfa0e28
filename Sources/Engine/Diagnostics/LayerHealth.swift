// Layer health: the figures that say whether each layer of a run is learning (issue 9's "Layers"
// panel and the metrics file's epoch lines). The engine computes them between batches, from the
// last batch's buffers, only while someone asks for them (`Trainer.setLayerHealth`).

/// One linear layer (and the ReLU after it, for hidden layers) as of one training step.
public struct LayerFigures: Sendable, Equatable {
    /// Root mean square of the layer's weights (biases not included).
    public var weightRMS: Float
    /// Root mean square of the loss gradient with respect to those weights, on the last batch.
    public var gradientRMS: Float
    /// lr x gradient RMS / weight RMS: how far one step moves the weights, relative to their size.
    public var updateRatio: Float
    /// Mean and standard deviation of the layer's output over the last batch (after the ReLU for
    /// hidden layers; the logits for the last layer).
    public var activationMean: Float
    public var activationStd: Float
    /// Share of the layer's ReLU units that were zero for every sample of the last batches
    /// (0 for the output layer, which has no ReLU).
    public var deadFraction: Float

    public init(weightRMS: Float, gradientRMS: Float, updateRatio: Float, activationMean: Float,
                activationStd: Float, deadFraction: Float) {
        self.weightRMS = weightRMS
        self.gradientRMS = gradientRMS
        self.updateRatio = updateRatio
        self.activationMean = activationMean
        self.activationStd = activationStd
        self.deadFraction = deadFraction
    }
}

/// Every layer's figures at one global step, first layer first.
public struct LayerHealth: Sendable, Equatable {
    /// The global step (1-based) whose batch the figures describe; 0: before any training.
    public var step: Int
    public var layers: [LayerFigures]

    public init(step: Int, layers: [LayerFigures]) {
        self.step = step
        self.layers = layers
    }
}
