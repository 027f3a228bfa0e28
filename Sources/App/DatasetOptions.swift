import ArgumentParser
import Foundation
import MNISTData

/// `--data DIR` / `--dataset NAME`: which dataset a subcommand reads (training, evaluation).
public struct DatasetOptions: ParsableArguments, Sendable {
    /// A folder with the four MNIST-format IDX files.
    @Option(help: ArgumentHelp("Read an MNIST-format dataset (the four canonical IDX files, raw or .gz) from DIR.",
                               valueName: "DIR"), completion: .directory)
    public var data: String?

    /// Which bundled/installed dataset.
    @Option(help: "mnist (bundled) or fashion (Fashion-MNIST from /usr/share/datasets/fashion-mnist). (default: mnist)")
    public var dataset: DatasetChoice?

    public init() {}

    /// Whether the user named a dataset at all (a resumed run otherwise takes its checkpoint's).
    var isGiven: Bool { data != nil || dataset != nil }

    /// Where the data comes from.
    public var source: DatasetSource {
        if let data { return .directory(data) }
        switch dataset ?? .mnist {
        case .mnist: return .bundledMNIST
        case .fashion: return .fashion
        }
    }

    /// The dataset for a model that records which one it was trained on (a checkpoint, an export):
    /// `--data`/`--dataset` if given, else the one it names (MNIST or Fashion-MNIST; any other
    /// folder must be given with --data).
    func source(recordedName: String?) -> DatasetSource {
        if isGiven { return source }
        return recordedName == DatasetSource.fashion.displayName ? .fashion : .bundledMNIST
    }

    public func validate() throws {
        guard let data else { return }
        if let dataset, dataset != .mnist {
            throw ValidationError("--data cannot be combined with --dataset \(dataset.rawValue): --data names the dataset's folder itself")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) else {
            throw ValidationError("--data \(data): no such directory")
        }
        guard isDirectory.boolValue else { throw ValidationError("--data \(data): not a directory") }
        guard FileManager.default.isReadableFile(atPath: data),
              FileManager.default.isExecutableFile(atPath: data) else {
            throw ValidationError("--data \(data): directory is not readable")
        }
    }
}

/// `--dataset` values.
public enum DatasetChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case mnist
    case fashion
}
