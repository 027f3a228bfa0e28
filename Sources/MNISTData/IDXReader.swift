// MARK: - IDX file contents

/// A decoded, validated IDX file of unsigned bytes.
public struct IDXFile: Sendable, Equatable {
    /// What the header declares (validated against the data).
    public let shape: IDXShape
    /// The data after the header: `count * rows * cols` bytes, row-major.
    public let data: [UInt8]
}

// MARK: - Reader

/// Reads IDX files of unsigned bytes, raw or gzip-compressed (recognised by content, not by name).
///
/// Checks, in order: the header is complete; bytes 0-1 are zero; the element type is 0x08; the
/// number of dimensions fits the kind (3 for images, 1 for labels); no dimension is zero; image
/// sides are at most `maxImageSide`; the declared size is below `maxDataBytes`; and the data length
/// equals the declared size exactly. The declared size is compared with what the file can hold
/// before anything is allocated for it, so a header claiming 2^31 images costs nothing.
public enum IDXReader {
    /// The largest image side accepted (MNIST-like data is tens of pixels a side).
    public static let maxImageSide = 1024
    /// The largest data section accepted, 4 GiB: far above any MNIST-like set, far below a bomb.
    public static let maxDataBytes = 1 << 32

    /// Reads the IDX file at `path`.
    public static func read(path: String, kind: IDXKind) throws(DataError) -> IDXFile {
        let file = try ReadableFile(path: path)
        if try file.startsWithGzipMagic() {
            var source = try GzipSource(file: file)
            return try decode(from: &source, kind: kind)
        } else {
            var source = RawSource(path: path, input: file)
            return try decode(from: &source, kind: kind)
        }
    }

    /// Decodes an IDX file held in memory; `path` is only used in error messages.
    public static func decode(_ bytes: [UInt8], kind: IDXKind, path: String) throws(DataError) -> IDXFile {
        if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
            var source = try GzipSource(path: path, compressed: bytes)
            return try decode(from: &source, kind: kind)
        } else {
            var source = RawSource(path: path, input: MemoryInput(bytes))
            return try decode(from: &source, kind: kind)
        }
    }

    // MARK: Decoding

    static func decode<Source: IDXByteSource>(from source: inout Source, kind: IDXKind) throws(DataError) -> IDXFile {
        let path = source.path
        let layout: Layout
        do {
            layout = try declaredLayout(from: &source, kind: kind)
        } catch {
            // Decompressed bytes mean something only if the stream is intact, so a damaged gzip
            // stream is reported before what its content seems to say. This also makes the verdict
            // independent of how far zlib happened to get before the header was examined.
            if source.isCompressed, !error.problem.comesFromTheContainer {
                _ = try source.drain(upTo: 1 << 24)
            }
            throw error
        }
        let (shape, headerBytes, dataBytes, expectedBytes) =
            (layout.shape, layout.headerBytes, layout.dataBytes, layout.expectedBytes)

        // Read exactly the declared size into its final home.
        var failure: DataError?
        let data = [UInt8](unsafeUninitializedCapacity: dataBytes) { buffer, initialized in
            do {
                initialized = try source.readFully(into: UnsafeMutableRawBufferPointer(buffer))
            } catch let error as DataError {
                failure = error
                initialized = 0
            } catch {
                // readFully throws only DataError; this branch exists for the untyped closure.
                failure = DataError(path: path, problem: .unreadable(reason: "\(error)"))
                initialized = 0
            }
        }
        if let failure { throw failure }
        if data.count < dataBytes {
            throw DataError(path: path, problem: .truncated(
                shape: shape, expectedBytes: expectedBytes, actualBytes: headerBytes + data.count,
                compressed: source.isCompressed))
        }

        // Nothing may follow (for gzip this also runs zlib to the trailer, checking CRC and length).
        // Surplus is counted up to 16 MiB, so a message can say how much there is without
        // letting a decompression bomb run on.
        let (extra, reachedEnd) = try source.drain(upTo: 1 << 24)
        if extra > 0 {
            throw DataError(path: path, problem: .trailingBytes(
                shape: shape, expectedBytes: expectedBytes,
                actualBytes: reachedEnd ? expectedBytes + extra : nil, compressed: source.isCompressed))
        }
        return IDXFile(shape: shape, data: data)
    }

    /// What the header declares, checked against itself and against what the source can hold.
    private struct Layout {
        let shape: IDXShape
        let headerBytes: Int
        let dataBytes: Int
        /// headerBytes + dataBytes.
        let expectedBytes: Int
    }

    /// Reads and validates the header, then compares the declared size with the source's.
    private static func declaredLayout<Source: IDXByteSource>(
        from source: inout Source, kind: IDXKind
    ) throws(DataError) -> Layout {
        let path = source.path
        let header = try readHeader(from: &source, kind: kind)
        let shape = header.shape
        let headerBytes = header.byteCount

        // The declared size, overflow-checked (2^32-1 x 1024 x 1024 fits 64 bits, not 32).
        let (rowsTimesCols, overflow1) = shape.rows.multipliedReportingOverflow(by: shape.cols)
        let (dataBytes, overflow2) = shape.count.multipliedReportingOverflow(by: rowsTimesCols)
        let (totalBytes, overflow3) = headerBytes.addingReportingOverflow(dataBytes)
        let declaredBytes = overflow1 || overflow2 || overflow3 ? nil : totalBytes
        guard let expectedBytes = declaredBytes, dataBytes <= maxDataBytes else {
            throw DataError(path: path, problem: .tooLarge(
                shape: shape, expectedBytes: declaredBytes, limit: maxDataBytes))
        }

        // Compare with what is there before allocating.
        switch source.remaining {
        case .exactly(let available):
            if available < dataBytes {
                throw DataError(path: path, problem: .truncated(
                    shape: shape, expectedBytes: expectedBytes, actualBytes: headerBytes + available,
                    compressed: source.isCompressed))
            }
            if available > dataBytes {
                throw DataError(path: path, problem: .trailingBytes(
                    shape: shape, expectedBytes: expectedBytes, actualBytes: headerBytes + available,
                    compressed: source.isCompressed))
            }
        case .atMost(let available, let compressedBytes):
            if available < dataBytes {
                throw DataError(path: path, problem: .cannotHold(
                    shape: shape, expectedBytes: expectedBytes, compressedBytes: compressedBytes,
                    maxBytes: headerBytes + available))
            }
        }
        return Layout(shape: shape, headerBytes: headerBytes, dataBytes: dataBytes, expectedBytes: expectedBytes)
    }

    /// The validated header and its size in bytes.
    private static func readHeader<Source: IDXByteSource>(
        from source: inout Source, kind: IDXKind
    ) throws(DataError) -> (shape: IDXShape, byteCount: Int) {
        let path = source.path
        let neededBytes = 4 + 4 * kind.dimensionCount
        // Header buffer: the magic, then at most 3 big-endian 32-bit sizes.
        let header = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 4)
        defer { header.deallocate() }

        let magicBytes = try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: header[0..<4]))
        if magicBytes >= 2, header[0] != 0 || header[1] != 0 {
            throw DataError(path: path, problem: .badMagic(header[0], header[1]))
        }
        if magicBytes >= 3, header[2] != 0x08 {
            throw DataError(path: path, problem: .wrongElementType(header[2]))
        }
        if magicBytes == 4, Int(header[3]) != kind.dimensionCount {
            throw DataError(path: path, problem: .wrongDimensionCount(found: Int(header[3]), expected: kind))
        }
        let sizeBytes = magicBytes < 4 ? 0 : try source.readFully(
            into: UnsafeMutableRawBufferPointer(rebasing: header[4..<neededBytes]))
        guard magicBytes + sizeBytes == neededBytes else {
            throw DataError(path: path, problem: .truncatedHeader(bytes: magicBytes + sizeBytes, needed: neededBytes))
        }

        var dimensions: [Int] = []
        for index in 0..<kind.dimensionCount {
            let offset = 4 + 4 * index
            let value = Int(header[offset]) << 24 | Int(header[offset + 1]) << 16
                | Int(header[offset + 2]) << 8 | Int(header[offset + 3])
            if value == 0 { throw DataError(path: path, problem: .zeroDimension(index: index)) }
            dimensions.append(value)
        }
        switch kind {
        case .labels:
            return (IDXShape(kind: .labels, count: dimensions[0]), neededBytes)
        case .images:
            let (rows, cols) = (dimensions[1], dimensions[2])
            guard rows <= maxImageSide, cols <= maxImageSide else {
                throw DataError(path: path, problem: .implausibleImageSize(rows: rows, cols: cols, maxSide: maxImageSide))
            }
            return (IDXShape(kind: .images, count: dimensions[0], rows: rows, cols: cols), neededBytes)
        }
    }
}

// MARK: - Error origins

extension DataError.Problem {
    /// True for problems of the file or its gzip stream rather than of the IDX bytes inside.
    var comesFromTheContainer: Bool {
        switch self {
        case .corruptGzip, .truncatedGzip, .trailingGarbage, .unreadable, .notARegularFile: true
        default: false
        }
    }
}

// MARK: - gzip detection

extension ReadableFile {
    /// True when the file starts with the gzip magic 1f 8b (read without moving the file position).
    func startsWithGzipMagic() throws(DataError) -> Bool {
        let magic = try peek(byteCount: 2)
        return magic.count == 2 && magic[0] == 0x1F && magic[1] == 0x8B
    }
}
