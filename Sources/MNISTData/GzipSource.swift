import CZlib

// MARK: - gzip source

/// A gzip-compressed IDX file, inflated on demand into whatever buffer the decoder hands over.
///
/// Nothing here grows with what the data claims, nor with the file: compressed input passes through
/// a window of at most 1 MiB; the decoder reads the header through a 16-byte buffer, checks the
/// declared size against `remaining` (deflate never expands more than 1032:1), allocates exactly the
/// declared size and inflates into it; surplus output is caught by `drain`. zlib checks each
/// member's trailer (CRC-32 and length) when it ends. Several concatenated members (as
/// `cat a.gz b.gz` or pigz make) are one stream, as gzip(1) reads them; anything else after the end
/// is trailing garbage.
final class GzipSource: IDXByteSource {
    let path: String
    private let input: any ByteInput
    /// Compressed bytes in transit: zlib reads from here (`next_in`/`avail_in` point into it).
    private let window: UnsafeMutableRawBufferPointer
    /// Bytes taken from `input` so far.
    private var inputRead = 0
    /// `input` has no more bytes.
    private var inputExhausted = false
    /// Heap-allocated because zlib's state points back at its stream: it must never move.
    private let stream: UnsafeMutablePointer<z_stream>
    /// The last member ended and no input follows.
    private var finished = false
    /// Output produced so far, for `remaining`.
    private var produced = 0

    /// Deflate's largest possible expansion ratio (a 258-byte match coded in 2 bits).
    static let maxExpansion = 1032
    /// The input window's size: large enough that reading costs nothing next to inflating.
    static let windowSize = 1 << 20

    /// Inflates `compressed`, which should start with the gzip magic 1f 8b. Tests pass a tiny
    /// `windowSize` (at least 2) to exercise refilling at every possible boundary.
    convenience init(path: String, compressed: [UInt8], windowSize: Int = GzipSource.windowSize) throws(DataError) {
        try self.init(path: path, input: MemoryInput(compressed), windowSize: windowSize)
    }

    /// Inflates `file` from its current position.
    convenience init(file: ReadableFile) throws(DataError) {
        try self.init(path: file.path, input: file)
    }

    private init(path: String, input: any ByteInput, windowSize: Int = GzipSource.windowSize) throws(DataError) {
        // zlib starts before any stored property is set: a throw after that point would run
        // `deinit` (the object counts as initialised) and free the stream twice.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = mnist_inflate_init_auto(stream)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw DataError(path: path, problem: .unreadable(reason: "zlib could not start (status \(status))"))
        }
        self.path = path
        self.input = input
        self.stream = stream
        window = .allocate(byteCount: max(min(input.size, windowSize), 2), alignment: 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        window.deallocate()
    }

    // MARK: IDXByteSource

    var isCompressed: Bool { true }

    var remaining: RemainingBytes {
        let (bound, overflow) = input.size.multipliedReportingOverflow(by: Self.maxExpansion)
        let maximum = overflow ? Int.max : bound
        return .atMost(max(maximum - produced, 0), compressedBytes: input.size)
    }

    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count, !finished {
            try refillWindow(keepingAtLeast: 1)
            let room = min(buffer.count - filled, Int(UInt32.max))
            stream.pointee.next_out = (base + filled).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(room)
            let status = inflate(stream, Z_NO_FLUSH)
            let made = room - Int(stream.pointee.avail_out)
            filled += made
            produced += made
            stream.pointee.next_out = nil
            stream.pointee.avail_out = 0
            try handle(status)
        }
        return filled
    }

    // MARK: zlib plumbing

    /// Makes at least `minimum` unconsumed input bytes available to zlib when the input still has
    /// them: moves what zlib left to the window's start and fills the rest from `input`.
    private func refillWindow(keepingAtLeast minimum: Int) throws(DataError) {
        let pending = Int(stream.pointee.avail_in)
        guard pending < minimum, !inputExhausted, let base = window.baseAddress else { return }
        if pending > 0, let next = stream.pointee.next_in {
            base.copyMemory(from: next, byteCount: pending)  // at most 1 byte: `minimum` is 1 or 2
        }
        let got = try input.readFully(into: UnsafeMutableRawBufferPointer(rebasing: window[pending...]))
        inputRead += got
        inputExhausted = got < window.count - pending
        stream.pointee.next_in = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(pending + got)
    }

    /// Turns an `inflate` status into progress, the next member, the end, or an error.
    private func handle(_ status: Int32) throws(DataError) {
        switch status {
        case Z_OK:
            return
        case Z_STREAM_END:
            try refillWindow(keepingAtLeast: 2)
            let left = Int(stream.pointee.avail_in)
            if left == 0 {
                finished = true
            } else if left >= 2, let next = stream.pointee.next_in, next[0] == 0x1F, next[1] == 0x8B {
                inflateReset(stream)  // another member follows
            } else {
                throw DataError(path: path, problem: .trailingGarbage(bytes: left + max(input.size - inputRead, 0)))
            }
        case Z_BUF_ERROR:
            // No progress possible: with output room left, that means the input ran out mid-stream.
            throw DataError(path: path, problem: .truncatedGzip(compressedBytes: inputRead))
        case Z_DATA_ERROR:
            throw DataError(path: path, problem: .corruptGzip(reason: zlibMessage ?? "invalid deflate data"))
        case Z_NEED_DICT:
            throw DataError(path: path, problem: .corruptGzip(reason: "the stream needs a preset dictionary"))
        case Z_MEM_ERROR:
            throw DataError(path: path, problem: .unreadable(reason: "out of memory while decompressing"))
        default:
            throw DataError(path: path, problem: .corruptGzip(reason: zlibMessage ?? "zlib status \(status)"))
        }
    }

    private var zlibMessage: String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
