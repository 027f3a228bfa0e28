import Engine
import Interchange
import MNISTData

/// A trained network read for `mnist-tui evaluate`: from a mnist-tui checkpoint, or from a
/// safetensors file (exported by mnist-tui or saved by PyTorch; see docs/interchange.md).
struct EvaluatedModel {
    let layerSizes: [Int]
    /// Packed as Engine's `MLP.parameters`: W0 [in, out], b0, W1, b1...
    let parameters: [Float]
    /// The dataset the file says the model was trained on, if it says.
    let datasetName: String?
    /// The training run, when the file is a checkpoint (its charts are shown with the evaluation).
    let snapshot: TrainingSnapshot?
    /// Epochs that made the model, when known.
    let epochsTrained: Int?
    /// "checkpoint" or "safetensors", for the dashboard's notice.
    let kind: String

    /// The parameters for the inspection views (nil only if the sizes do not make a layout,
    /// which `requireFit` has refused before a dashboard opens).
    var weights: ModelWeights? {
        ParameterLayout(layerSizes: layerSizes).flatMap { ModelWeights(layout: $0, parameters: parameters) }
    }

    /// Reads `path`: a checkpoint if it starts with the checkpoint's magic number, else safetensors.
    /// Errors are one line naming the file (`CheckpointError` or `SafetensorsError`).
    static func read(from path: String) throws -> EvaluatedModel {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.read(from: path)
        } catch {
            guard error.problem == .notACheckpoint else { throw error }
            let contents = try SafetensorsFile.read(from: path)
            let trained = contents.metadata["epochs_trained"].flatMap { Int($0) }
            return EvaluatedModel(layerSizes: contents.weights.layerSizes, parameters: contents.weights.packed,
                                  datasetName: contents.metadata["dataset"], snapshot: nil, epochsTrained: trained,
                                  kind: "safetensors")
        }
        let s = checkpoint.snapshot
        return EvaluatedModel(layerSizes: s.layerSizes, parameters: s.parameters, datasetName: s.datasetName,
                              snapshot: s, epochsTrained: checkpoint.epochsDone, kind: "checkpoint")
    }

    /// Refuses a model whose input or output size does not fit `dataset` (one line naming the file).
    func requireFit(_ dataset: Dataset, path: String) throws {
        let weights = MLPWeights(layerSizes: layerSizes, packed: parameters)
        try SafetensorsFile.requireFit(weights, inputs: dataset.test.pixelsPerImage, classes: dataset.classCount, path: path)
    }
}
