// Where the (decompressed) bytes of an IDX file come from: memory or a raw file, whose sizes are
// known before reading, or a gzip stream, whose size is known only as an upper bound. The IDX
// decoder reads the header through this interface, checks the declared size against what the
// source can deliver, and only then allocates.

// MARK: - The interface

/// What a source knows, before reading, about how many bytes it still holds.
enum RemainingBytes: Equatable {
    /// Exactly this many (raw data).
    case exactly(Int)
    /// At most this many (a gzip stream of `compressedBytes`, inflating at deflate's maximum ratio).
    case atMost(Int, compressedBytes: Int)
}

/// A sequential reader of IDX bytes.
protocol IDXByteSource {
    /// The file the bytes belong to, for error messages.
    var path: String { get }
    /// True when the bytes are decompressed from gzip (messages then say "decompressed data").
    var isCompressed: Bool { get }
    /// What is known about the bytes not yet read.
    var remaining: RemainingBytes { get }
    /// Fills `buffer` from the current position; returns fewer bytes only when the data ends.
    mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int
    /// Reads and discards what is left, stopping once more than `limit` bytes were seen. Returns the
    /// count and whether the end was reached (for gzip this also verifies the CRC and length).
    mutating func drain(upTo limit: Int) throws(DataError) -> (bytes: Int, reachedEnd: Bool)
}

extension IDXByteSource {
    mutating func drain(upTo limit: Int) throws(DataError) -> (bytes: Int, reachedEnd: Bool) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var total = 0
        while total <= limit {
            let got = try readFully(into: scratch)
            total += got
            if got < scratch.count { return (total, true) }
        }
        return (total, false)
    }
}

// MARK: - Raw bytes in memory

/// An uncompressed IDX file held in memory (tests, fuzzing).
struct MemorySource: IDXByteSource {
    let path: String
    private let bytes: [UInt8]
    private var offset: Int

    init(path: String, bytes: [UInt8], offset: Int = 0) {
        self.path = path
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    var isCompressed: Bool { false }
    var remaining: RemainingBytes { .exactly(bytes.count - offset) }

    mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0, let destination = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            // `source` has `bytes.count` bytes and `offset + count <= bytes.count`.
            destination.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

// MARK: - A raw file

/// An uncompressed IDX file read straight into its destination (no intermediate copy of 47 MB).
struct RawFileSource: IDXByteSource {
    private let file: ReadableFile
    private var offset = 0

    init(file: ReadableFile) { self.file = file }

    var path: String { file.path }
    var isCompressed: Bool { false }
    var remaining: RemainingBytes { .exactly(max(file.size - offset, 0)) }

    mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let got = try file.readFully(into: buffer)
        offset += got
        return got
    }
}
