import Testing
@testable import MNISTData

/// Loading a folder of four files: the checks across files, and the dataset's shape and identity.
@Suite("Dataset loading")
struct DatasetLoadingTests {
    func load(_ folder: TemporaryFolder) throws(DataError) -> Dataset {
        try Dataset.load(.directory(folder.path))
    }

    // MARK: Well-formed

    @Test func rawAndGzipFoldersLoadTheSameDataset() throws {
        let rawFolder = try TemporaryFolder()
        try rawFolder.writeDataset(trainCount: 20, testCount: 10, rows: 4, cols: 3)
        let gzipFolder = try TemporaryFolder()
        try gzipFolder.writeDataset(trainCount: 20, testCount: 10, rows: 4, cols: 3, gzipped: true)

        let fromRaw = try load(rawFolder)
        let fromGzip = try load(gzipFolder)
        #expect(fromRaw.train == fromGzip.train)
        #expect(fromRaw.test == fromGzip.test)
        #expect(fromRaw.fingerprint == fromGzip.fingerprint)

        #expect(fromRaw.train.count == 20 && fromRaw.test.count == 10)
        #expect(fromRaw.train.rows == 4 && fromRaw.train.cols == 3)
        #expect(fromRaw.train.pixels == Array(imagesIDX(count: 20, rows: 4, cols: 3, seed: 1)[16...]))
        #expect(fromRaw.train.labels == cyclingLabels(20))
        #expect(fromRaw.test.labels == cyclingLabels(10).reversed())
    }

    @Test func directoryNameAndClassNames() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset()
        let dataset = try Dataset.load(.directory(folder.path + "/"))
        #expect(dataset.name == Path.lastComponent(folder.path))
        #expect(dataset.classNames == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(dataset.classCount == 10)
    }

    /// When both exist, the raw file is read (no decompression needed).
    @Test func rawFileWinsOverGzip() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset()
        try folder.write(DatasetFile.trainLabels.rawValue + ".gz", [0x1F, 0x8B, 0])  // broken, unused
        #expect(try load(folder).train.count == 20)
    }

    // MARK: Across files

    @Test func imageLabelCountMismatch() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(trainCount: 20, override: [.trainLabels: labelsIDX(cyclingLabels(19))])
        let labelsPath = folder.path + "/train-labels-idx1-ubyte"
        let error = expectDataError(path: labelsPath, try load(folder))
        #expect(error?.problem == .countMismatch(labels: 19, images: 20,
                                                 imagesPath: folder.path + "/train-images-idx3-ubyte"))
        #expect(error?.description.contains("count mismatch: 19 labels but") == true)
    }

    @Test func labelOutOfRange() throws {
        let folder = try TemporaryFolder()
        var labels = cyclingLabels(10)
        labels[7] = 10
        try folder.writeDataset(testCount: 10, gzipped: true, override: [.testLabels: labelsIDX(labels)])
        let error = expectDataError(path: folder.path + "/t10k-labels-idx1-ubyte.gz", try load(folder))
        #expect(error?.problem == .labelOutOfRange(index: 7, label: 10, classCount: 10))
        #expect(error?.description.contains("label 7 is 10, expected 0...9") == true)
    }

    @Test func trainTestImageSizeMismatch() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(testCount: 10, rows: 4, cols: 3,
                                override: [.testImages: imagesIDX(count: 10, rows: 3, cols: 4)])
        let error = expectDataError(path: folder.path + "/t10k-images-idx3-ubyte", try load(folder))
        #expect(error?.problem == .imageSizeMismatch(rows: 3, cols: 4, trainRows: 4, trainCols: 3,
                                                     trainPath: folder.path + "/train-images-idx3-ubyte"))
    }

    @Test func missingFileIsNamed() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(gzipped: true)
        try folder.remove("t10k-images-idx3-ubyte.gz")
        let error = expectDataError(path: folder.path + "/t10k-images-idx3-ubyte", try load(folder))
        #expect(error?.problem == .missingFile(
            triedNames: ["t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"], hint: nil))
        #expect(error?.description.hasSuffix(
            "missing: neither t10k-images-idx3-ubyte nor t10k-images-idx3-ubyte.gz exists") == true)
    }

    /// A relative folder still gives errors that name files by their full path.
    @Test func relativeFolderGivesFullPathsInErrors() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(override: [.trainLabels: labelsIDX(cyclingLabels(3))])
        let relative = relativeToCurrentDirectory(folder.path)
        #expect(!relative.hasPrefix("/"))
        let canonical = Path.canonical(folder.path) ?? folder.path
        let error = expectDataError(path: canonical + "/train-labels-idx1-ubyte",
                                    try Dataset.load(.directory(relative)))
        #expect(error?.description.contains("count mismatch: 3 labels") == true)
    }

    @Test func missingFolder() throws {
        let folder = try TemporaryFolder()
        let missing = folder.path + "/no-such-dataset"
        let error = expectDataError(path: missing, try Dataset.load(.directory(missing)))
        #expect(error?.problem == .missingFolder(hint: nil))
    }

    /// A malformed file inside a dataset is reported with its own full path.
    @Test func malformedFileInsideDatasetNamesIt() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(gzipped: true, override: [.testLabels: Array(labelsIDX(cyclingLabels(10)).dropLast())])
        let error = expectDataError(path: folder.path + "/t10k-labels-idx1-ubyte.gz", try load(folder))
        #expect(error?.problem == .truncated(shape: IDXShape(kind: .labels, count: 10), expectedBytes: 18,
                                             actualBytes: 17, compressed: true))
    }

    /// Fashion-MNIST's missing-file message says how to get it.
    @Test func fashionHintNamesTheDebianPackage() {
        #expect(DatasetSource.fashion.installHint?.contains("dataset-fashion-mnist") == true)
        let error = DataError(path: "/usr/share/datasets/fashion-mnist",
                              problem: .missingFolder(hint: DatasetSource.fashion.installHint))
        #expect(error.description == "/usr/share/datasets/fashion-mnist: no such folder; install Debian's "
            + "dataset-fashion-mnist (apt install dataset-fashion-mnist)")
    }

    // MARK: Subsets and identity

    @Test func prefixKeepsTheFirstImagesAndLabels() throws {
        let folder = try TemporaryFolder()
        try folder.writeDataset(trainCount: 20, rows: 4, cols: 3)
        let train = try load(folder).train
        let first5 = train.prefix(5)
        #expect(first5.count == 5 && first5.rows == 4 && first5.cols == 3)
        #expect(first5.pixels == Array(train.pixels[..<60]))
        #expect(first5.labels == Array(train.labels[..<5]))
        #expect(train.prefix(20) == train)
        #expect(train.prefix(1000) == train)
        #expect(train.prefix(0).count == 0 && train.prefix(0).pixels.isEmpty)
        #expect(Array(train.pixels(ofImage: 2)) == Array(train.pixels[24..<36]))
    }

    @Test func fingerprintTracksTheData() throws {
        let a = LabeledImages(count: 2, rows: 1, cols: 2, pixels: [1, 2, 3, 4], labels: [0, 1])
        let same = LabeledImages(count: 2, rows: 1, cols: 2, pixels: [1, 2, 3, 4], labels: [0, 1])
        let onePixel = LabeledImages(count: 2, rows: 1, cols: 2, pixels: [1, 2, 3, 5], labels: [0, 1])
        let oneLabel = LabeledImages(count: 2, rows: 1, cols: 2, pixels: [1, 2, 3, 4], labels: [1, 1])
        let reshaped = LabeledImages(count: 2, rows: 2, cols: 1, pixels: [1, 2, 3, 4], labels: [0, 1])
        #expect(a.fingerprint == same.fingerprint)
        #expect(Set([a, onePixel, oneLabel, reshaped].map(\.fingerprint)).count == 4)

        let dataset = Dataset(name: "x", classNames: ["a", "b"], train: a, test: onePixel)
        #expect(dataset.fingerprint == UInt64(a.fingerprint) << 32 | UInt64(onePixel.fingerprint))
        #expect(dataset.fingerprintHex.count == 16)
        #expect(UInt64(dataset.fingerprintHex, radix: 16) == dataset.fingerprint)
        let swapped = Dataset(name: "x", classNames: ["a", "b"], train: onePixel, test: a)
        #expect(swapped.fingerprint != dataset.fingerprint)
    }
}
