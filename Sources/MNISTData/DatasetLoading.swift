import Dispatch
import Synchronization

// MARK: - Loading a dataset

extension Dataset {
    /// Finds, reads and validates `source`.
    ///
    /// Beyond each file's own checks (see `IDXReader`): images and labels agree in count per split,
    /// every label lies in `0..<classCount`, and test images have the training images' size. The
    /// two splits are read concurrently. Every failure is a `DataError` naming the file.
    public static func load(_ source: DatasetSource) throws(DataError) -> Dataset {
        let folder = try source.folder()
        return try load(folder: folder, name: source.displayName, classNames: source.classNames,
                        hint: source.installHint)
    }

    /// Reads the four canonical files in `folder` (raw or .gz) as a dataset called `name`.
    public static func load(folder: String, name: String, classNames: [String],
                            hint: String? = nil) throws(DataError) -> Dataset {
        // Resolve all four paths first, so a missing file is reported before any slow reading.
        let trainImagesPath = try DatasetFile.trainImages.path(in: folder, hint: hint)
        let trainLabelsPath = try DatasetFile.trainLabels.path(in: folder, hint: hint)
        let testImagesPath = try DatasetFile.testImages.path(in: folder, hint: hint)
        let testLabelsPath = try DatasetFile.testLabels.path(in: folder, hint: hint)
        let classCount = classNames.count

        // The training images dominate (47 MB of 55); the test split is read alongside them.
        let results = SplitResults()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result { () throws(DataError) -> LabeledImages in
                index == 0
                    ? try loadSplit(images: trainImagesPath, labels: trainLabelsPath, classCount: classCount)
                    : try loadSplit(images: testImagesPath, labels: testLabelsPath, classCount: classCount)
            }
            results.store(result, at: index)
        }
        // Report the training split's problem first: it is the one a user looks at first.
        let train = try results.take(0).get()
        let test = try results.take(1).get()

        guard test.rows == train.rows, test.cols == train.cols else {
            throw DataError(path: testImagesPath, problem: .imageSizeMismatch(
                rows: test.rows, cols: test.cols, trainRows: train.rows, trainCols: train.cols,
                trainPath: trainImagesPath))
        }
        return Dataset(name: name, classNames: classNames, train: train, test: test)
    }

    /// One split: its images and labels, checked against each other.
    static func loadSplit(images imagesPath: String, labels labelsPath: String,
                          classCount: Int) throws(DataError) -> LabeledImages {
        let images = try IDXReader.read(path: imagesPath, kind: .images)
        let labels = try IDXReader.read(path: labelsPath, kind: .labels)
        return try LabeledImages(images: images, imagesPath: imagesPath,
                                 labels: labels, labelsPath: labelsPath, classCount: classCount)
    }
}

extension LabeledImages {
    /// Pairs decoded images and labels, checking that counts agree and labels are in range.
    init(images: IDXFile, imagesPath: String, labels: IDXFile, labelsPath: String,
         classCount: Int) throws(DataError) {
        guard labels.shape.count == images.shape.count else {
            throw DataError(path: labelsPath, problem: .countMismatch(
                labels: labels.shape.count, images: images.shape.count, imagesPath: imagesPath))
        }
        if let index = labels.data.firstIndex(where: { Int($0) >= classCount }) {
            throw DataError(path: labelsPath, problem: .labelOutOfRange(
                index: index, label: Int(labels.data[index]), classCount: classCount))
        }
        self.init(count: images.shape.count, rows: images.shape.rows, cols: images.shape.cols,
                  pixels: images.data, labels: labels.data)
    }
}

// MARK: - Handing results across threads

/// Two slots written by `concurrentPerform`'s iterations and read after it returns.
private final class SplitResults: Sendable {
    private let slots = Mutex<[Result<LabeledImages, DataError>?]>([nil, nil])

    func store(_ result: Result<LabeledImages, DataError>, at index: Int) {
        slots.withLock { $0[index] = result }
    }

    /// The stored result; `concurrentPerform` has returned, so every slot is filled.
    func take(_ index: Int) -> Result<LabeledImages, DataError> {
        slots.withLock { $0[index] } ?? .failure(DataError(
            path: "dataset", problem: .unreadable(reason: "internal error: split \(index) was not loaded")))
    }
}
