// Where the (decompressed) bytes of an IDX file come from: a raw file or memory, whose sizes are
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

// MARK: - Plain bytes

/// Bytes read sequentially from somewhere whose size is known up front: a file or memory.
protocol ByteInput {
    /// The total size (a file's size when it was opened).
    var size: Int { get }
    /// Fills `buffer` from the current position; fewer bytes only at the end.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int
}

extension ReadableFile: ByteInput {}

/// Bytes held in memory (tests, fuzzing).
final class MemoryInput: ByteInput {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var size: Int { bytes.count }

    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
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

// MARK: - Raw IDX data

/// An uncompressed IDX file, read straight into its destination (no intermediate copy of 47 MB).
struct RawSource: IDXByteSource {
    let path: String
    private let input: any ByteInput
    private var offset = 0

    init(path: String, input: any ByteInput) {
        self.path = path
        self.input = input
    }

    var isCompressed: Bool { false }
    var remaining: RemainingBytes { .exactly(max(input.size - offset, 0)) }

    mutating func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        let got = try input.readFully(into: buffer)
        offset += got
        return got
    }
}
