import Testing
@testable import MNISTData

/// gzip integrity and the size checks on decompressed data.
@Suite("gzip")
struct GzipTests {
    let path = "/data/train-images-idx3-ubyte.gz"
    let raw = imagesIDX(count: 50, rows: 28, cols: 28)
    var shape: IDXShape { IDXShape(kind: .images, count: 50, rows: 28, cols: 28) }

    @Test func gzipAndRawDecodeToTheSameData() throws {
        let fromRaw = try IDXReader.decode(raw, kind: .images, path: path)
        let fromGzip = try IDXReader.decode(gzip(raw), kind: .images, path: path)
        #expect(fromGzip == fromRaw)
    }

    /// `cat a.gz b.gz` is one valid gzip stream, as gzip(1) reads it.
    @Test func concatenatedMembersAreOneStream() throws {
        let half = raw.count / 2
        let compressed = gzip(Array(raw[..<half])) + gzip(Array(raw[half...]))
        #expect(try IDXReader.decode(compressed, kind: .images, path: path).data == Array(raw[16...]))
    }

    @Test func truncatedStream() {
        let compressed = gzip(raw)
        let cut = Array(compressed.prefix(compressed.count / 2))
        let error = expectDataError(path: path, try IDXReader.decode(cut, kind: .images, path: path))
        #expect(error?.problem == .truncatedGzip(compressedBytes: cut.count))
        #expect(error?.description.contains("truncated gzip stream") == true)
    }

    /// Cut inside the 8-byte trailer: every data byte is there, the CRC is not.
    @Test func truncatedTrailer() {
        let cut = Array(gzip(raw).dropLast(3))
        let error = expectDataError(path: path, try IDXReader.decode(cut, kind: .images, path: path))
        #expect(error?.problem == .truncatedGzip(compressedBytes: cut.count))
    }

    /// Only the header's first bytes survive: the stream ends before the IDX header is complete.
    @Test func truncatedBeforeIDXHeaderEnds() {
        let cut = Array(gzip(raw).prefix(12))
        let error = expectDataError(path: path, try IDXReader.decode(cut, kind: .images, path: path))
        #expect(error?.problem == .truncatedGzip(compressedBytes: 12))
    }

    @Test func crcMismatch() {
        var compressed = gzip(raw)
        compressed[compressed.count - 8] ^= 0x01  // first byte of the CRC-32 trailer
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .corruptGzip(reason: "incorrect data check"))
        #expect(error?.description.contains("corrupt gzip data: incorrect data check") == true)
    }

    @Test func lengthMismatch() {
        var compressed = gzip(raw)
        compressed[compressed.count - 4] ^= 0x01  // first byte of ISIZE
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .corruptGzip(reason: "incorrect length check"))
    }

    @Test func unknownCompressionMethod() {
        var compressed = gzip(raw)
        compressed[2] = 7  // CM must be 8 (deflate)
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .corruptGzip(reason: "unknown compression method"))
    }

    /// A flipped bit inside the deflate data: whatever zlib makes of it, it is reported, never trusted.
    @Test(arguments: [20, 40, 80, 160])
    func flippedDataByte(at offset: Int) {
        var compressed = gzip(raw)
        compressed[offset] ^= 0x10
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        switch error?.problem {
        case .corruptGzip?, .truncated?, .trailingBytes?, .truncatedGzip?, .cannotHold?,
             .badMagic?, .wrongElementType?, .wrongDimensionCount?, .zeroDimension?, .implausibleImageSize?:
            break
        default:
            Issue.record("unexpected outcome \(String(describing: error))")
        }
    }

    @Test func trailingGarbage() {
        let compressed = gzip(raw) + [0x00, 0x00, 0x41]
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .trailingGarbage(bytes: 3))
    }

    @Test func decompressedDataTooShort() {
        let compressed = gzip(Array(raw.dropLast(100)))
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .truncated(shape: shape, expectedBytes: raw.count,
                                             actualBytes: raw.count - 100, compressed: true))
        #expect(error?.description.contains("but the decompressed data holds \(raw.count - 100)") == true)
    }

    @Test func decompressedDataTooLong() {
        let compressed = gzip(raw + [1, 2, 3])
        let error = expectDataError(path: path, try IDXReader.decode(compressed, kind: .images, path: path))
        #expect(error?.problem == .trailingBytes(shape: shape, expectedBytes: raw.count,
                                                 actualBytes: raw.count + 3, compressed: true))
    }

    /// A small stream whose header claims 2^31 images of 1x1 (2 GiB, under the 4 GiB limit): refused
    /// from the compressed size alone, before allocating or inflating.
    @Test func hugeClaimInSmallGzipFailsFast() {
        let bytes = gzip(idx(dims: [1 << 31, 1, 1], data: [UInt8](repeating: 0, count: 100)))
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .images, path: path))
        #expect(error?.problem == .cannotHold(
            shape: IDXShape(kind: .images, count: 1 << 31, rows: 1, cols: 1), expectedBytes: (1 << 31) + 16,
            compressedBytes: bytes.count, maxBytes: bytes.count * GzipSource.maxExpansion))
        #expect(error?.description.hasPrefix("\(path): truncated: header says 2147483648 images of 1x1") == true)
    }

    /// A decompression bomb behind a modest header: output beyond the declared size stops the read.
    @Test func bombBeyondTheHeaderIsCut() {
        let bytes = gzip(labelsIDX([1, 2, 3]) + [UInt8](repeating: 0, count: 32 << 20), level: 9)
        let error = expectDataError(path: path, try IDXReader.decode(bytes, kind: .labels, path: path))
        #expect(error?.problem == .trailingBytes(shape: IDXShape(kind: .labels, count: 3), expectedBytes: 11,
                                                 actualBytes: nil, compressed: true))
        #expect(error?.description.hasSuffix("but the decompressed data holds more") == true)
    }

    @Test func gzipFileOnDisk() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("images.gz", gzip(raw))
        #expect(try IDXReader.read(path: file, kind: .images).data == Array(raw[16...]))

        let broken = try folder.write("broken.gz", Array(gzip(raw).dropLast(20)))
        let error = expectDataError(path: broken, try IDXReader.read(path: broken, kind: .images))
        #expect(error?.problem == .truncatedGzip(compressedBytes: gzip(raw).count - 20))
    }

    /// Gzip is recognised by content: a raw file named .gz and a gzip file without it both load.
    @Test func formatFollowsContentNotName() throws {
        let folder = try TemporaryFolder()
        let rawNamedGz = try folder.write("raw.gz", raw)
        let gzipNamedRaw = try folder.write("gzip", gzip(raw))
        #expect(try IDXReader.read(path: rawNamedGz, kind: .images) == IDXReader.read(path: gzipNamedRaw, kind: .images))
    }

    // MARK: Input arriving in small pieces

    /// The same verdicts whatever the input window's size, down to 2 bytes: every gzip boundary
    /// (header, blocks, trailer, the next member's magic) then falls across a refill somewhere.
    @Test(arguments: [2, 3, 7, 64])
    func verdictsDoNotDependOnTheInputWindow(windowSize: Int) throws {
        let half = raw.count / 2
        var badCRC = gzip(raw)
        badCRC[badCRC.count - 8] ^= 1
        let cases: [[UInt8]] = [
            gzip(raw),
            gzip(Array(raw[..<half])) + gzip(Array(raw[half...])),
            Array(gzip(raw).dropLast(3)),
            gzip(raw) + [0, 0, 0x41],
            gzip(raw) + [0x1F],
            badCRC,
            gzip(raw + [1, 2, 3]),
        ]
        for compressed in cases {
            let expected = Result { () throws(DataError) in try IDXReader.decode(compressed, kind: .images, path: path) }
            let actual = Result { () throws(DataError) -> IDXFile in
                var source = try GzipSource(path: path, compressed: compressed, windowSize: windowSize)
                return try IDXReader.decode(from: &source, kind: .images)
            }
            #expect(actual == expected)
        }
    }

    /// Found by the fuzzer (Fuzz/corpus/idx/regression-corrupt-gzip-bad-header): a stream with a bad
    /// CRC whose few decompressed bytes also make a bad header. Whole, zlib met the trailer before
    /// the header was examined ("incorrect data check"); through a small window the header was
    /// examined first ("wrong number of dimensions"). The damaged stream is now always reported.
    @Test(arguments: [GzipSource.windowSize, 10, 3, 2])
    func corruptStreamIsReportedBeforeItsContent(windowSize: Int) throws {
        let found: [UInt8] = [
            0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63, 0x60, 0xE0, 0x60, 0x00, 0x00,
            0x00, 0x1C, 0x08, 0x00, 0x10, 0x14, 0x51, 0x55, 0x53, 0xD7, 0xD0, 0xD4, 0xD2, 0xD6, 0xD1, 0xD5,
            0xD3, 0x07, 0x00, 0xB2, 0x31,
        ]
        func decode() throws(DataError) -> IDXFile {
            var source = try GzipSource(path: path, compressed: found, windowSize: windowSize)
            return try IDXReader.decode(from: &source, kind: .images)
        }
        let error = expectDataError(path: path, try decode())
        #expect(error?.problem == .corruptGzip(reason: "incorrect data check"))
    }
}
