// MARK: - Canonical files

/// The four files of an MNIST-format dataset, by their canonical names.
public enum DatasetFile: String, Sendable, CaseIterable {
    case trainImages = "train-images-idx3-ubyte"
    case trainLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    /// Images or labels.
    public var kind: IDXKind {
        switch self {
        case .trainImages, .testImages: .images
        case .trainLabels, .testLabels: .labels
        }
    }

    /// The file's path in `folder`: the raw file if present, else the `.gz` one.
    /// Throws a missing-file error naming both when neither exists.
    public func path(in folder: String, hint: String? = nil) throws(DataError) -> String {
        let raw = Path.join(folder, rawValue)
        let gzip = raw + ".gz"
        if FileKind(path: raw) != .missing { return raw }
        if FileKind(path: gzip) != .missing { return gzip }
        throw DataError(path: raw, problem: .missingFile(triedNames: [rawValue, rawValue + ".gz"], hint: hint))
    }
}

// MARK: - Where each source lives

extension DatasetSource {
    /// Where Debian's dataset-fashion-mnist installs its files.
    public static let fashionFolder = "/usr/share/datasets/fashion-mnist"

    /// The environment variable that overrides where the bundled MNIST is looked for.
    public static let assetsEnvironmentVariable = "MNIST_TUI_ASSETS"

    /// Fashion-MNIST's ten classes, index = label.
    public static let fashionClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The digits "0"..."9", index = label.
    public static let digitClassNames = (0..<10).map { String($0) }

    /// The name shown to the user.
    public var displayName: String {
        switch self {
        case .bundledMNIST: "MNIST"
        case .fashion: "Fashion-MNIST"
        case .directory(let path): Path.lastComponent(Path.canonical(path) ?? path)
        }
    }

    /// One name per class.
    public var classNames: [String] {
        switch self {
        case .fashion: Self.fashionClassNames
        case .bundledMNIST, .directory: Self.digitClassNames
        }
    }

    /// What to tell the user when a file is missing.
    var installHint: String? {
        switch self {
        case .fashion: "install Debian's dataset-fashion-mnist (apt install dataset-fashion-mnist)"
        case .bundledMNIST, .directory: nil
        }
    }

    /// The folder holding this source's four files, as an absolute path so that every error names
    /// files in full (the files themselves are not checked here).
    public func folder() throws(DataError) -> String {
        let folder: String
        switch self {
        case .bundledMNIST:
            folder = try BundledAssets.locate()
        case .fashion:
            guard FileKind(path: Self.fashionFolder) == .directory else {
                throw DataError(path: Self.fashionFolder, problem: .missingFolder(hint: installHint))
            }
            folder = Self.fashionFolder
        case .directory(let path):
            guard FileKind(path: path) == .directory else {
                throw DataError(path: Path.canonical(path) ?? path, problem: .missingFolder(hint: nil))
            }
            folder = path
        }
        return Path.canonical(folder) ?? folder
    }
}

// MARK: - The bundled MNIST

/// Finds the repository's assets/mnist from wherever the binary is started.
enum BundledAssets {
    /// Where this source file was at compile time: <checkout>/Sources/MNISTData/DatasetLocation.swift.
    static let compiledSourceFile: String = #filePath

    /// The places searched, in order. `MNIST_TUI_ASSETS`, when set, is the only place searched (as
    /// `$MNIST_TUI_ASSETS/mnist`, then `$MNIST_TUI_ASSETS` itself), so that setting it is never
    /// silently ignored; otherwise next to the executable (a copied build, then an install
    /// prefix), then the source checkout the binary was built from.
    static func candidates(
        environment: String? = ProcessFacts.environment(DatasetSource.assetsEnvironmentVariable),
        executable: String? = ProcessFacts.executablePath()
    ) -> [String] {
        if let environment {
            return [Path.join(environment, "mnist"), environment]
        }
        var places: [String] = []
        if let executable {
            let folder = Path.parent(executable)
            places.append(Path.join(folder, "mnist-tui-assets/mnist"))
            places.append(Path.join(Path.parent(folder), "share/mnist-tui/mnist"))
        }
        let checkout = Path.parent(Path.parent(Path.parent(compiledSourceFile)))
        places.append(Path.join(checkout, "assets/mnist"))
        return places
    }

    /// The first candidate that holds the training images (raw or gzip).
    static func locate(
        environment: String? = ProcessFacts.environment(DatasetSource.assetsEnvironmentVariable),
        executable: String? = ProcessFacts.executablePath()
    ) throws(DataError) -> String {
        let places = candidates(environment: environment, executable: executable)
        for place in places where (try? DatasetFile.trainImages.path(in: place)) != nil {
            return place
        }
        throw DataError(path: "bundled MNIST",
                        problem: .bundledDataNotFound(searched: places, fromEnvironment: environment != nil))
    }
}
