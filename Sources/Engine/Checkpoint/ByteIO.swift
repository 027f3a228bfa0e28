// Little-endian byte writing and bounds-checked reading for the checkpoint format. The reader never
// trusts a count: every length is checked against the bytes that remain (with overflow-checked
// arithmetic) before anything is allocated for it.

// MARK: - Writer

/// Appends fixed-width little-endian values to a byte array.
struct LittleEndianWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A Swift Int as a signed 64-bit integer.
    mutating func i64(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }

    mutating func f32(_ value: Float) { u32(value.bitPattern) }

    mutating func f64(_ value: Double) { u64(value.bitPattern) }

    /// A UTF-8 string: u32 byte count, then the bytes.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A float array: u64 count, then the IEEE 754 bit patterns (megabytes of weights: bulk copy on
    /// little-endian hosts, where the in-memory layout already is the file layout).
    mutating func floats(_ values: [Float]) {
        u64(UInt64(values.count))
        #if _endian(little)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for value in values { f32(value) }
        #endif
    }

    /// Overwrites 4 bytes at `offset` (a length filled in once known).
    mutating func patchU32(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
        }
    }

    /// Overwrites 8 bytes at `offset`.
    mutating func patchU64(_ value: UInt64, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for (i, byte) in raw.enumerated() { bytes[offset + i] = byte }
        }
    }
}

// MARK: - Reader

/// Why a `LittleEndianReader` stopped: what it was reading and that the bytes ran out or the value
/// does not fit. Turned into `CheckpointError.Problem.malformed` by the decoder.
struct ByteReadError: Error {
    let what: String
}

/// Reads fixed-width little-endian values from `bytes[start..<end]`, never past `end`.
struct LittleEndianReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        precondition(0 <= start && start <= end && end <= bytes.count, "reader bounds come from checked lengths")
        self.bytes = bytes
        self.offset = start
        self.end = end
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset == end }

    private mutating func take(_ count: Int, _ what: String) throws(ByteReadError) -> Int {
        guard count >= 0, count <= remaining else { throw ByteReadError(what: "\(what) runs past the end of its section") }
        let start = offset
        offset += count
        return start
    }

    mutating func u8(_ what: String) throws(ByteReadError) -> UInt8 {
        bytes[try take(1, what)]
    }

    mutating func u32(_ what: String) throws(ByteReadError) -> UInt32 {
        let start = try take(4, what)
        var value: UInt32 = 0
        for i in (0..<4).reversed() { value = value << 8 | UInt32(bytes[start + i]) }
        return value
    }

    mutating func u64(_ what: String) throws(ByteReadError) -> UInt64 {
        let start = try take(8, what)
        var value: UInt64 = 0
        for i in (0..<8).reversed() { value = value << 8 | UInt64(bytes[start + i]) }
        return value
    }

    mutating func i64(_ what: String) throws(ByteReadError) -> Int {
        let raw = Int64(bitPattern: try u64(what))
        guard let value = Int(exactly: raw) else { throw ByteReadError(what: "\(what) does not fit an Int") }
        return value
    }

    /// A signed integer that must be >= `minimum` (counts, sizes, positions).
    mutating func int(_ what: String, atLeast minimum: Int) throws(ByteReadError) -> Int {
        let value = try i64(what)
        guard value >= minimum else { throw ByteReadError(what: "\(what) is \(value), must be >= \(minimum)") }
        return value
    }

    mutating func f32(_ what: String) throws(ByteReadError) -> Float { Float(bitPattern: try u32(what)) }

    mutating func f64(_ what: String) throws(ByteReadError) -> Double { Double(bitPattern: try u64(what)) }

    mutating func string(_ what: String, maxBytes: Int) throws(ByteReadError) -> String {
        let count = Int(try u32("\(what) length"))
        guard count <= maxBytes else { throw ByteReadError(what: "\(what) is \(count) bytes long (at most \(maxBytes))") }
        let start = try take(count, what)
        guard let text = String(validating: bytes[start..<(start + count)], as: UTF8.self) else {
            throw ByteReadError(what: "\(what) is not valid UTF-8")
        }
        return text
    }

    /// A string naming one of `T`'s cases (the error quotes and escapes what it found: file content
    /// must not break the one-line message).
    mutating func choice<T: RawRepresentable>(_ what: String, of type: T.Type) throws(ByteReadError) -> T
        where T.RawValue == String {
        let name = try string(what, maxBytes: 64)
        guard let value = T(rawValue: name) else { throw ByteReadError(what: "unknown \(what) \(name.debugDescription)") }
        return value
    }

    /// A u64 element count, checked against the bytes left for `elementSize`-byte elements before
    /// anything is allocated (a count claiming 2^60 elements fails here, cheaply).
    mutating func count(_ what: String, elementSize: Int) throws(ByteReadError) -> Int {
        let raw = try u64("\(what) count")
        guard raw <= UInt64(Int.max) else { throw ByteReadError(what: "\(what) count \(raw) is impossible") }
        let count = Int(raw)
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, byteCount <= remaining else {
            throw ByteReadError(what: "\(what) claims \(count) elements but only \(remaining) bytes remain")
        }
        return count
    }

    mutating func floats(_ what: String) throws(ByteReadError) -> [Float] {
        let count = try self.count(what, elementSize: 4)
        let start = try take(count * 4, what)
        #if _endian(little)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * 4)]))
            }
            initialized = count
        }
        #else
        var values: [Float] = []
        values.reserveCapacity(count)
        var reader = LittleEndianReader(bytes, from: start, to: start + count * 4)
        for _ in 0..<count { values.append(try reader.f32(what)) }
        return values
        #endif
    }
}
