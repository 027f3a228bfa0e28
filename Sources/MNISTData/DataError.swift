// MARK: - DataError

/// Everything that can go wrong while finding, reading or validating a dataset.
///
/// `description` is one line, `"<path>: <what is wrong>"`, ready to print before exiting non-zero.
/// `problem` carries the same facts in structured form, so callers and tests can match on the case
/// instead of parsing text.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (full path) or folder the problem is about.
    public let path: String
    /// What is wrong with it.
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

// MARK: - IDX shape (used in messages)

/// Which of the two IDX layouts a file must have.
public enum IDXKind: Sendable, Equatable {
    /// Magic 0x00000803: count x rows x cols unsigned bytes.
    case images
    /// Magic 0x00000801: count unsigned bytes.
    case labels

    /// The number of dimensions the header must declare.
    public var dimensionCount: Int {
        switch self {
        case .images: 3
        case .labels: 1
        }
    }
}

/// What an IDX header declares, as far as this reader needs it.
public struct IDXShape: Sendable, Equatable, CustomStringConvertible {
    public let kind: IDXKind
    /// Number of images or labels.
    public let count: Int
    /// Image height (1 for labels).
    public let rows: Int
    /// Image width (1 for labels).
    public let cols: Int

    public init(kind: IDXKind, count: Int, rows: Int = 1, cols: Int = 1) {
        self.kind = kind
        self.count = count
        self.rows = rows
        self.cols = cols
    }

    /// "60000 images of 28x28" or "60000 labels".
    public var description: String {
        switch kind {
        case .images: "\(count) images of \(rows)x\(cols)"
        case .labels: "\(count) labels"
        }
    }
}

// MARK: - Problems

extension DataError {
    /// The structured reason behind a `DataError`; its `description` is the text after `"<path>: "`.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        // Finding files
        /// Neither the raw nor the `.gz` variant of a canonical file is in the folder.
        case missingFile(triedNames: [String], hint: String?)
        /// The dataset's folder does not exist (or is not a folder).
        case missingFolder(hint: String?)
        /// The bundled MNIST was not found in any of the places searched (only those named by
        /// MNIST_TUI_ASSETS when `fromEnvironment`).
        case bundledDataNotFound(searched: [String], fromEnvironment: Bool)
        /// The path exists but is not a regular file (a folder, a device...).
        case notARegularFile
        /// The operating system refused to open or read the file.
        case unreadable(reason: String)

        // IDX header
        /// The file ends inside the IDX header.
        case truncatedHeader(bytes: Int, needed: Int)
        /// Bytes 0-1 are not zero: not an IDX file (and not gzip either).
        case badMagic(UInt8, UInt8)
        /// Byte 2 is not 0x08 (unsigned byte).
        case wrongElementType(UInt8)
        /// Byte 3 does not give the dimension count this kind of file needs.
        case wrongDimensionCount(found: Int, expected: IDXKind)
        /// A dimension is zero (index 0 = the count).
        case zeroDimension(index: Int)
        /// The image is larger than any MNIST-like dataset (each side is limited to `maxSide`).
        case implausibleImageSize(rows: Int, cols: Int, maxSide: Int)
        /// The header's size (nil when it overflows an Int) exceeds what this reader accepts (`limit`).
        case tooLarge(shape: IDXShape, expectedBytes: Int?, limit: Int)

        // IDX size against the data actually present
        /// Fewer bytes than the header declares (sizes include the header).
        case truncated(shape: IDXShape, expectedBytes: Int, actualBytes: Int, compressed: Bool)
        /// A gzip file too small to decompress to what the header declares, refused before inflating.
        case cannotHold(shape: IDXShape, expectedBytes: Int, compressedBytes: Int, maxBytes: Int)
        /// More bytes than the header declares; `actualBytes` is nil when counting stopped early.
        case trailingBytes(shape: IDXShape, expectedBytes: Int, actualBytes: Int?, compressed: Bool)

        // gzip container
        /// zlib rejected the stream (bad deflate data, CRC or length mismatch in the trailer...).
        case corruptGzip(reason: String)
        /// The gzip stream ends before its end marker and trailer.
        case truncatedGzip(compressedBytes: Int)
        /// Bytes after the end of the gzip stream that are not another gzip member.
        case trailingGarbage(bytes: Int)

        // Across files
        /// A labels file whose count differs from its images file's.
        case countMismatch(labels: Int, images: Int, imagesPath: String)
        /// A label outside `0..<classCount`.
        case labelOutOfRange(index: Int, label: Int, classCount: Int)
        /// Test images whose size differs from the training images'.
        case imageSizeMismatch(rows: Int, cols: Int, trainRows: Int, trainCols: Int, trainPath: String)

        public var description: String {
            switch self {
            case let .missingFile(names, hint):
                let tried = names.count == 2 ? "neither \(names[0]) nor \(names[1]) exists"
                                             : "\(names.joined(separator: ", ")) not found"
                return "missing: \(tried)" + (hint.map { "; \($0)" } ?? "")
            case let .missingFolder(hint):
                return "no such folder" + (hint.map { "; \($0)" } ?? "")
            case let .bundledDataNotFound(searched, fromEnvironment):
                let advice = fromEnvironment
                    ? "MNIST_TUI_ASSETS is set and must name the assets folder or its mnist folder"
                    : "set MNIST_TUI_ASSETS to the folder holding the MNIST files"
                return "not found; looked in " + searched.joined(separator: ", ") + " (\(advice))"
            case .notARegularFile:
                return "not a regular file"
            case let .unreadable(reason):
                return "cannot read: \(reason)"
            case let .truncatedHeader(bytes, needed):
                return "truncated header: the data holds \(bytes) bytes but an IDX header needs \(needed)"
            case let .badMagic(b0, b1):
                return "bad magic: bytes 0-1 are \(hex(b0)) \(hex(b1)), expected 0x00 0x00 (not an IDX file)"
            case let .wrongElementType(type):
                return "wrong element type: \(hex(type)) (\(elementTypeName(type))), expected 0x08 (unsigned byte)"
            case let .wrongDimensionCount(found, kind):
                let layout = kind == .images ? "3 for images: count x rows x cols" : "1 for labels: count"
                return "wrong number of dimensions: \(found), expected \(layout)"
            case let .zeroDimension(index):
                return "dimension \(index) is zero" + (index == 0 ? " (no items)" : "")
            case let .implausibleImageSize(rows, cols, maxSide):
                return "implausible image size \(rows)x\(cols): each side must be at most \(maxSide)"
            case let .tooLarge(shape, expected, limit):
                let size = expected.map { " (\($0) bytes)" } ?? ""
                return "too large: header says \(shape)\(size), more than the \(limit) bytes this reader accepts"
            case let .truncated(shape, expected, actual, compressed):
                let holder = compressed ? "the decompressed data holds" : "the file holds"
                return "truncated: header says \(shape) (\(expected) bytes) but \(holder) \(actual)"
            case let .cannotHold(shape, expected, compressedBytes, maxBytes):
                return "truncated: header says \(shape) (\(expected) bytes) but a \(compressedBytes)-byte gzip file "
                    + "decompresses to at most \(maxBytes)"
            case let .trailingBytes(shape, expected, actual, compressed):
                let holder = compressed ? "the decompressed data holds" : "the file holds"
                let amount = actual.map { "\($0)" } ?? "more"
                return "trailing bytes: header says \(shape) (\(expected) bytes) but \(holder) \(amount)"
            case let .corruptGzip(reason):
                return "corrupt gzip data: \(reason)"
            case let .truncatedGzip(compressedBytes):
                return "truncated gzip stream: it ends after \(compressedBytes) bytes, before its end marker"
            case let .trailingGarbage(bytes):
                return "trailing garbage: \(bytes) bytes after the end of the gzip stream"
            case let .countMismatch(labels, images, imagesPath):
                return "count mismatch: \(labels) labels but \(imagesPath) has \(images) images"
            case let .labelOutOfRange(index, label, classCount):
                return "label out of range: label \(index) is \(label), expected 0...\(classCount - 1)"
            case let .imageSizeMismatch(rows, cols, trainRows, trainCols, trainPath):
                return "image size mismatch: \(rows)x\(cols) test images but \(trainRows)x\(trainCols) "
                    + "training images in \(trainPath)"
            }
        }
    }
}

// MARK: - Formatting helpers

/// "0x0d": two lowercase hex digits.
private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return "0x" + (digits.count == 1 ? "0" + digits : digits)
}

/// The IDX element types, so an error can say what the file holds instead.
private func elementTypeName(_ type: UInt8) -> String {
    switch type {
    case 0x08: "unsigned byte"
    case 0x09: "signed byte"
    case 0x0B: "16-bit integer"
    case 0x0C: "32-bit integer"
    case 0x0D: "32-bit float"
    case 0x0E: "64-bit float"
    default: "not an IDX type"
    }
}
