// CONTRACT (skeleton): the public surface other modules code against. The data helper owns this
// module and may add to it; renaming anything here needs the other modules updated in the same change.

/// One split (train or test) of an image-classification dataset in MNIST layout.
/// Pixels stay as bytes (0...255), row-major, `rows * cols` per image; they are scaled to [0, 1]
/// per batch by the engine, so the whole set costs 1 byte a pixel in memory.
public struct LabeledImages: Sendable, Equatable {
    public let count: Int
    public let rows: Int
    public let cols: Int
    /// `count * rows * cols` bytes.
    public let pixels: [UInt8]
    /// `count` labels, each in `0..<classCount` of the owning dataset.
    public let labels: [UInt8]
    /// CRC-32 of the shape, labels and pixels, computed once here (about 10 ms for MNIST's 47 MB):
    /// this split's part of `Dataset.fingerprint`.
    public let fingerprint: UInt32

    public init(count: Int, rows: Int, cols: Int, pixels: [UInt8], labels: [UInt8]) {
        self.count = count
        self.rows = rows
        self.cols = cols
        self.pixels = pixels
        self.labels = labels
        self.fingerprint = Fingerprint.crc32(count: count, rows: rows, cols: cols, labels: labels, pixels: pixels)
    }

    public var pixelsPerImage: Int { rows * cols }
}

/// Which dataset to load.
public enum DatasetSource: Sendable, Equatable {
    /// The MNIST files bundled under assets/mnist.
    case bundledMNIST
    /// Fashion-MNIST from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).
    case fashion
    /// Any folder holding the four canonical IDX files, raw or .gz.
    case directory(String)
}

/// A loaded, validated dataset.
public struct Dataset: Sendable {
    /// Short name shown to the user: "MNIST", "Fashion-MNIST" or the folder's name.
    public let name: String
    /// One name per class, index = label ("0"..."9" for MNIST, "T-shirt/top"... for Fashion).
    public let classNames: [String]
    public let train: LabeledImages
    public let test: LabeledImages

    public init(name: String, classNames: [String], train: LabeledImages, test: LabeledImages) {
        self.name = name
        self.classNames = classNames
        self.train = train
        self.test = test
    }

    public var classCount: Int { classNames.count }
}
