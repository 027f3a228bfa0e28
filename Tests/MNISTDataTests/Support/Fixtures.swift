import Foundation
import Testing
@testable import MNISTData

// MARK: - IDX builders

/// IDX bytes: a 4-byte magic (type 0x08 and the dimension count unless overridden), the big-endian
/// sizes, then `data`.
func idx(dims: [UInt32], data: [UInt8], magic: [UInt8]? = nil) -> [UInt8] {
    var bytes = magic ?? [0, 0, 0x08, UInt8(dims.count)]
    for dim in dims {
        bytes += [UInt8(dim >> 24), UInt8(dim >> 16 & 0xFF), UInt8(dim >> 8 & 0xFF), UInt8(dim & 0xFF)]
    }
    return bytes + data
}

/// An images file of `count` images of `rows`x`cols`; pixel values follow a simple pattern.
func imagesIDX(count: Int, rows: Int = 4, cols: Int = 3, seed: Int = 0) -> [UInt8] {
    let data = (0..<(count * rows * cols)).map { UInt8(truncatingIfNeeded: $0 * 7 + seed) }
    return idx(dims: [UInt32(count), UInt32(rows), UInt32(cols)], data: data)
}

/// A labels file holding `labels`.
func labelsIDX(_ labels: [UInt8]) -> [UInt8] {
    idx(dims: [UInt32(labels.count)], data: labels)
}

/// `count` labels cycling through 0...9.
func cyclingLabels(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8($0 % 10) }
}

// MARK: - gzip

/// `bytes` as a single-member gzip stream, compressed by zlib (`gzipCompressed`, recording a test
/// issue if zlib fails).
func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    guard let compressed = gzipCompressed(bytes, level: level) else {
        Issue.record("zlib could not compress \(bytes.count) bytes")
        return []
    }
    return compressed
}

// MARK: - Temporary folders

/// A fresh folder under the system's temporary directory, removed when released.
final class TemporaryFolder {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mnist-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in this folder and returns the file's full path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Deletes `name` from this folder.
    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name)
    }

    /// Writes a complete small dataset in canonical names, in this folder or its `subfolder` (created
    /// as needed); `gzipped` adds .gz and compresses. Any file can be replaced through `override`
    /// (keyed by canonical name, bytes before gzip).
    func writeDataset(subfolder: String? = nil, trainCount: Int = 20, testCount: Int = 10, rows: Int = 4, cols: Int = 3,
                      gzipped: Bool = false, override: [DatasetFile: [UInt8]] = [:]) throws {
        let files: [DatasetFile: [UInt8]] = [
            .trainImages: imagesIDX(count: trainCount, rows: rows, cols: cols, seed: 1),
            .trainLabels: labelsIDX(cyclingLabels(trainCount)),
            .testImages: imagesIDX(count: testCount, rows: rows, cols: cols, seed: 2),
            .testLabels: labelsIDX(cyclingLabels(testCount).reversed()),
        ].merging(override) { _, replacement in replacement }
        let prefix = subfolder.map { $0 + "/" } ?? ""
        if let subfolder {
            try FileManager.default.createDirectory(atPath: path + "/" + subfolder, withIntermediateDirectories: true)
        }
        for (file, bytes) in files {
            try write(prefix + file.rawValue + (gzipped ? ".gz" : ""), gzipped ? gzip(bytes) : bytes)
        }
    }
}

/// `absolute` as a path relative to the current directory ("../../tmp/x").
func relativeToCurrentDirectory(_ absolute: String) -> String {
    let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
    return String(repeating: "../", count: depth) + absolute.drop { $0 == "/" }
}

// MARK: - Expecting errors

/// Evaluates `body`, expecting a `DataError` about `path`; returns it for further checks.
/// Also checks that its description is one line starting with the path.
@discardableResult
func expectDataError<Result>(path: String, _ body: @autoclosure () throws(DataError) -> Result,
                             sourceLocation: SourceLocation = #_sourceLocation) -> DataError? {
    do {
        _ = try body()
        Issue.record("expected a DataError about \(path), but it succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), "one line", sourceLocation: sourceLocation)
        return error
    }
}
