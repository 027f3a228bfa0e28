import CZlib

/// A gzip-compressed IDX file, inflated on demand into whatever buffer the decoder hands over.
///
/// Nothing here grows with what the data claims: the decoder reads the header through a 4-byte and
/// a 12-byte buffer, checks the declared size against `remaining` (deflate never expands more than
/// 1032:1), allocates exactly the declared size, and inflates into it; surplus output is caught by
/// `drain`. zlib checks the gzip trailer (CRC-32 and length) when a member ends. Several
/// concatenated members (as `cat a.gz b.gz` or pigz make) are one stream, as gzip(1) reads them;
/// anything else after the end is trailing garbage.
final class GzipSource: IDXByteSource {
    let path: String
    /// The whole compressed file, owned (zlib keeps pointers into it between calls).
    private let input: UnsafeMutableRawBufferPointer
    /// Bytes of `input` handed to zlib so far (it takes at most 4 GiB at a time).
    private var inputHandedOver = 0
    /// Heap-allocated because zlib's state points back at its stream: it must never move.
    private let stream: UnsafeMutablePointer<z_stream>
    /// The last member ended and no input follows.
    private var finished = false
    /// Output produced so far, for `remaining`.
    private var produced = 0

    /// Deflate's largest possible expansion ratio (a 258-byte match coded in 2 bits).
    static let maxExpansion = 1032

    /// Takes a copy of `compressed`, which must start with the gzip magic 1f 8b.
    convenience init(path: String, compressed: [UInt8]) throws(DataError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: compressed.count, alignment: 16)
        buffer.copyBytes(from: compressed)
        try self.init(path: path, owning: buffer)
    }

    /// Reads the whole of `file` (a few MB for MNIST) into memory.
    convenience init(file: ReadableFile) throws(DataError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: file.size, alignment: 16)
        let got: Int
        do {
            got = try file.readFully(into: buffer)
        } catch {
            buffer.deallocate()
            throw error
        }
        // A file that shrank since it was opened is read as far as it goes.
        try self.init(path: file.path, owning: UnsafeMutableRawBufferPointer(rebasing: buffer[..<got]),
                      allocation: buffer)
    }

    private let allocation: UnsafeMutableRawBufferPointer

    private init(path: String, owning input: UnsafeMutableRawBufferPointer,
                 allocation: UnsafeMutableRawBufferPointer? = nil) throws(DataError) {
        self.path = path
        self.input = input
        self.allocation = allocation ?? input
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = mnist_inflate_init_auto(stream)
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            self.allocation.deallocate()
            throw DataError(path: path, problem: .unreadable(reason: "zlib could not start (status \(status))"))
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        allocation.deallocate()
    }

    // MARK: IDXByteSource

    var isCompressed: Bool { true }

    var remaining: RemainingBytes {
        let (bound, overflow) = input.count.multipliedReportingOverflow(by: Self.maxExpansion)
        let maximum = overflow ? Int.max : bound
        return .atMost(max(maximum - produced, 0), compressedBytes: input.count)
    }

    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count, !finished {
            feedInput()
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

    /// Hands zlib the next slice of input once it has used up the previous one.
    private func feedInput() {
        guard stream.pointee.avail_in == 0, inputHandedOver < input.count, let base = input.baseAddress
        else { return }
        let slice = min(input.count - inputHandedOver, Int(UInt32.max))
        stream.pointee.next_in = (base + inputHandedOver).assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(slice)
        inputHandedOver += slice
    }

    /// Input bytes zlib has not consumed yet.
    private var unconsumedInput: Int { input.count - inputHandedOver + Int(stream.pointee.avail_in) }

    /// Turns an `inflate` status into progress, the next member, the end, or an error.
    private func handle(_ status: Int32) throws(DataError) {
        switch status {
        case Z_OK:
            return
        case Z_STREAM_END:
            let left = unconsumedInput
            if left == 0 {
                finished = true
            } else if startsAnotherMember() {
                inflateReset(stream)
            } else {
                throw DataError(path: path, problem: .trailingGarbage(bytes: left))
            }
        case Z_BUF_ERROR:
            // No progress possible: with output room left, that means the input ran out mid-stream.
            throw DataError(path: path, problem: .truncatedGzip(compressedBytes: input.count))
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

    /// True when the unconsumed input begins with the gzip magic (another member follows).
    private func startsAnotherMember() -> Bool {
        feedInput()
        guard stream.pointee.avail_in >= 2, let next = stream.pointee.next_in else {
            // The magic could straddle two 4 GiB slices only in a file of over 4 GiB; treat the
            // single leftover byte as garbage, which is what it is in any real file.
            return false
        }
        return next[0] == 0x1F && next[1] == 0x8B
    }

    private var zlibMessage: String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
