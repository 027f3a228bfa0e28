import Engine
import Interchange
import MNISTData

/// `--export FILE.safetensors`: when the run ends, however it ends, writes the network's weights as
/// safetensors (PyTorch's `nn.Sequential` layout, see docs/interchange.md) for other tools.
/// Training events are not needed: the weights are read from the trainer at the end.
final class ExportOutput: RunOutput {
    let path: String
    let trainer: Trainer

    init(path: String, trainer: Trainer) {
        self.path = path
        self.trainer = trainer
    }

    func record(_ event: TrainingEvent) -> [OutputReport] { [] }

    func finish(_ ending: RunEnding) -> [OutputReport] {
        let snapshot = trainer.snapshot()
        let weights = MLPWeights(layerSizes: snapshot.layerSizes, packed: snapshot.parameters)
        let epochsDone = snapshot.history.epochs.count
        let metadata = ["dataset": snapshot.datasetName, "version": ProgramVersion.number,
                        "epochs_trained": "\(epochsDone)"]
        do {
            try SafetensorsFile.write(weights, metadata: metadata, to: path)
            return [OutputReport(text: "weights exported to \(path) (\(epochsDone) epoch\(epochsDone == 1 ? "" : "s") trained)")]
        } catch {
            return [OutputReport(text: "--export \(error)", isError: true)]
        }
    }
}
