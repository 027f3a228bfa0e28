import Testing
@testable import MNISTData

/// The IDX header and size checks, on bytes built here (raw; gzip has its own suite).
@Suite("IDX reader")
struct IDXReaderTests {
    let path = "/data/train-images-idx3-ubyte"

    // MARK: Well-formed

    @Test func decodesImagesAndLabels() throws {
        let images = try IDXReader.decode(imagesIDX(count: 5, rows: 4, cols: 3), kind: .images, path: path)
        #expect(images.shape == IDXShape(kind: .images, count: 5, rows: 4, cols: 3))
        #expect(images.data == Array(imagesIDX(count: 5, rows: 4, cols: 3)[16...]))

        let labels = try IDXReader.decode(labelsIDX([3, 1, 4]), kind: .labels, path: path)
        #expect(labels.shape == IDXShape(kind: .labels, count: 3))
        #expect(labels.data == [3, 1, 4])
    }

    // MARK: Header

    @Test func badMagic() {
        let bytes = idx(dims: [1, 2, 2], data: [0, 0, 0, 0], magic: [0x50, 0x4B, 0x08, 0x03])
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .badMagic(0x50, 0x4B))
        #expect(error?.description.contains("bad magic") == true)
    }

    @Test func wrongElementType() {
        let bytes = idx(dims: [1, 1, 1], data: [0, 0, 0, 0], magic: [0, 0, 0x0D, 3])
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .wrongElementType(0x0D))
        #expect(error?.description.contains("element type: 0x0d (32-bit float), expected 0x08") == true)
    }

    @Test func wrongDimensionCountForImages() {
        let bytes = idx(dims: [2, 784], data: [UInt8](repeating: 0, count: 2 * 784))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .wrongDimensionCount(found: 2, expected: .images))
    }

    @Test func wrongDimensionCountForLabels() {
        // An images file where labels are expected.
        let error = expectDataError(path: path, try IDXReader.decode(imagesIDX(count: 2), kind: .labels, path: path))
        #expect(error?.problem == .wrongDimensionCount(found: 3, expected: .labels))
    }

    @Test(arguments: [0, 1, 2])
    func zeroDimension(index: Int) {
        var dims: [UInt32] = [3, 4, 5]
        dims[index] = 0
        let bytes = idx(dims: dims, data: [])
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .zeroDimension(index: index))
        #expect(error?.description.contains("dimension \(index) is zero") == true)
    }

    @Test func implausibleImageSize() {
        let bytes = idx(dims: [1, 28, 5000], data: [])
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .implausibleImageSize(rows: 28, cols: 5000, maxSide: IDXReader.maxImageSide))
    }

    @Test(arguments: [0, 1, 3, 4, 10, 15])
    func truncatedHeader(length: Int) {
        let bytes = Array(idx(dims: [1, 1, 1], data: [9]).prefix(length))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .truncatedHeader(bytes: length, needed: 16))
    }

    // MARK: Declared size against the data

    /// A header claiming 2^31 images: refused by comparing sizes, before any allocation (allocating
    /// 1.7 TB would trap, so getting the error at all shows none was attempted).
    @Test func hugeCountFailsFastWithoutAllocating() {
        let bytes = idx(dims: [1 << 31, 28, 28], data: [UInt8](repeating: 1, count: 1000))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .tooLarge(shape: IDXShape(kind: .images, count: 1 << 31, rows: 28, cols: 28),
                                            expectedBytes: (1 << 31) * 784 + 16, limit: IDXReader.maxDataBytes))
        #expect(error?.description == "\(path): too large: header says 2147483648 images of 28x28 "
            + "(1683627180048 bytes), more than the 4294967296 bytes this reader accepts")
    }

    /// Below the 4 GiB limit, a large claim is compared with the actual size: truncated, at once.
    @Test func largeClaimIsTruncatedWithoutAllocating() {
        let bytes = idx(dims: [1 << 31, 1, 1], data: [UInt8](repeating: 1, count: 1000))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .truncated(shape: IDXShape(kind: .images, count: 1 << 31, rows: 1, cols: 1),
                                             expectedBytes: (1 << 31) + 16, actualBytes: 1016, compressed: false))
    }

    @Test func maximalHeaderIsTooLarge() {
        let bytes = idx(dims: [UInt32.max, 1024, 1024], data: [])
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        guard case .tooLarge = error?.problem else {
            Issue.record("expected tooLarge, got \(String(describing: error))")
            return
        }
    }

    @Test func truncatedData() {
        let bytes = Array(imagesIDX(count: 60, rows: 28, cols: 28).prefix(16 + 1234))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .truncated(shape: IDXShape(kind: .images, count: 60, rows: 28, cols: 28),
                                             expectedBytes: 47056, actualBytes: 1250, compressed: false))
        #expect(error?.description == "\(path): truncated: header says 60 images of 28x28 (47056 bytes) "
            + "but the file holds 1250")
    }

    @Test func trailingBytes() {
        let bytes = labelsIDX([1, 2, 3]) + [0, 0]
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .labels, path: path))
        #expect(error?.problem == .trailingBytes(shape: IDXShape(kind: .labels, count: 3),
                                                 expectedBytes: 11, actualBytes: 13, compressed: false))
        #expect(error?.description.contains("trailing bytes: header says 3 labels (11 bytes) but the file holds 13") == true)
    }

    // MARK: Through files

    @Test func readsRawFileAndReportsItsFullPath() throws {
        let folder = try TemporaryFolder()
        let good = try folder.write("good", imagesIDX(count: 3))
        #expect(try IDXReader.read(path: good, kind: .images).shape.count == 3)

        let bad = try folder.write("bad", Array(imagesIDX(count: 3).dropLast()))
        let error = expectDataError(path: bad, try IDXReader.read(path: bad, kind: .images))
        #expect(error?.problem == .truncated(shape: IDXShape(kind: .images, count: 3, rows: 4, cols: 3),
                                             expectedBytes: 52, actualBytes: 51, compressed: false))
    }

    @Test func emptyFile() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("empty", [])
        let error = expectDataError(path: file, try IDXReader.read(path: file, kind: .labels))
        #expect(error?.problem == .truncatedHeader(bytes: 0, needed: 8))
    }

    @Test func folderInPlaceOfFile() throws {
        let folder = try TemporaryFolder()
        let error = expectDataError(path: folder.path, try IDXReader.read(path: folder.path, kind: .labels))
        #expect(error?.problem == .notARegularFile)
    }

    @Test func unreadableMissingPath() throws {
        let folder = try TemporaryFolder()
        let missing = folder.path + "/nothing"
        let error = expectDataError(path: missing, try IDXReader.read(path: missing, kind: .labels))
        #expect(error?.description.contains("cannot read: No such file or directory") == true)
    }
}
