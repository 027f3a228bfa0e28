// The safetensors header: parsed from JSON and checked against the format's own rules, before any
// question of what model the tensors make.
//
// The format (https://github.com/huggingface/safetensors, "Format"):
//
//     8 bytes      N, unsigned little-endian: the header's length in bytes
//     N bytes      a UTF-8 JSON object, possibly padded at the end with spaces:
//                    { "__metadata__": { "key": "string value", ... },        (optional)
//                      "<tensor name>": { "dtype": "F32", "shape": [out, in],
//                                         "data_offsets": [begin, end] }, ... }
//     rest         the data section: each tensor's bytes, row-major, little-endian, at
//                  [begin, end) counted from the data section's first byte
//
// The rules checked here are the reference implementation's (`Metadata::validate`): offsets within
// the data, `end - begin` = elements x dtype size, and the tensors, sorted by offset, tile the data
// section exactly: no overlap, no hole, nothing after the last tensor.

/// One tensor's entry in the header.
struct TensorEntry: Equatable {
    let name: String
    let dtype: String
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// A parsed and format-checked header.
struct SafetensorsHeader {
    /// In header order.
    let tensors: [TensorEntry]
    /// `__metadata__`, empty when absent.
    let metadata: [String: String]

    /// The reference implementation refuses headers above 100 MB; so does this reader (a header for
    /// an MLP is a few hundred bytes).
    static let maxLength: UInt64 = 100_000_000

    /// The header length the file's first 8 bytes declare, checked against the file's size before
    /// anything of that size is allocated.
    static func length(prefix: some Collection<UInt8>, fileSize: Int) throws(SafetensorsError.Problem) -> Int {
        guard fileSize >= 8, prefix.count >= 8 else { throw .tooShort(size: fileSize) }
        var length: UInt64 = 0
        for (i, byte) in prefix.prefix(8).enumerated() { length |= UInt64(byte) << (8 * UInt64(i)) }
        guard length <= UInt64(fileSize - 8) else { throw .headerPastEnd(headerLength: length, fileSize: fileSize) }
        guard length <= maxLength else { throw .headerTooLarge(headerLength: length) }
        return Int(length)  // <= fileSize - 8: fits
    }

    /// Parses the header text and checks it against a data section of `dataSize` bytes.
    init(bytes: ArraySlice<UInt8>, dataSize: Int) throws(SafetensorsError.Problem) {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw .headerNotUTF8 }
        let json: JSONValue
        do { json = try parseJSON(bytes) } catch { throw .badJSON(offset: error.offset, detail: error.detail) }
        guard case .object(let members) = json else { throw .badHeader("the header is \(json.kind), not an object") }

        var tensors: [TensorEntry] = []
        var metadata: [String: String] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(value)
            } else {
                tensors.append(try Self.entry(name: key, value))
            }
        }
        guard !tensors.isEmpty else { throw .noTensors }
        try Self.checkLayout(tensors, dataSize: dataSize)
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func metadata(_ value: JSONValue) throws(SafetensorsError.Problem) -> [String: String] {
        guard case .object(let members) = value else { throw .badHeader("__metadata__ is \(value.kind), not an object") }
        var out: [String: String] = [:]
        for (key, value) in members {
            guard case .string(let text) = value else {
                throw .badHeader("__metadata__ \(shown(key)) is \(value.kind); the format allows only strings")
            }
            out[key] = text
        }
        return out
    }

    private static func entry(name: String, _ value: JSONValue) throws(SafetensorsError.Problem) -> TensorEntry {
        guard case .object(let fields) = value else { throw .badHeader("tensor \(shown(name)) is \(value.kind), not an object") }
        var dtype: String?
        var shape: [Int]?
        var offsets: [Int]?
        for (field, value) in fields {
            switch field {
            case "dtype":
                guard case .string(let text) = value else { throw .badHeader("tensor \(shown(name)): dtype is \(value.kind), not a string") }
                dtype = text
            case "shape":
                shape = try integers(value, what: "shape", of: name)
            case "data_offsets":
                let pair = try integers(value, what: "data_offsets", of: name)
                guard pair.count == 2 else { throw .badHeader("tensor \(shown(name)): data_offsets has \(pair.count) numbers, not 2") }
                offsets = pair
            default:
                throw .badHeader("tensor \(shown(name)) has an unknown field \(shown(field))")
            }
        }
        guard let dtype else { throw .badHeader("tensor \(shown(name)) has no dtype") }
        guard let shape else { throw .badHeader("tensor \(shown(name)) has no shape") }
        guard let offsets else { throw .badHeader("tensor \(shown(name)) has no data_offsets") }
        // Only F32 is read; checked before sizes, since another dtype's element size is unknown here.
        guard dtype == "F32" else { throw .unsupportedDType(tensor: name, dtype: dtype) }
        return TensorEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private static func integers(_ value: JSONValue, what: String, of name: String) throws(SafetensorsError.Problem) -> [Int] {
        guard case .array(let elements) = value else { throw .badHeader("tensor \(shown(name)): \(what) is \(value.kind), not an array") }
        var out: [Int] = []
        for element in elements {
            guard let n = element.nonNegativeInteger else {
                throw .badHeader("tensor \(shown(name)): \(what) holds \(element.kind) that is not a non-negative integer")
            }
            out.append(n)
        }
        return out
    }

    /// Offsets in range and consistent with the shapes; the tensors tile the data section exactly.
    private static func checkLayout(_ tensors: [TensorEntry], dataSize: Int) throws(SafetensorsError.Problem) {
        for t in tensors {
            guard t.begin <= t.end else { throw .offsetsReversed(tensor: t.name, begin: t.begin, end: t.end) }
            guard t.end <= dataSize else { throw .offsetsOutOfRange(tensor: t.name, begin: t.begin, end: t.end, dataSize: dataSize) }
            var bytes = MemoryLayout<Float>.size
            for dimension in t.shape {
                let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
                // Larger than the data section (or than Int) cannot match the offsets.
                guard !overflow, product <= dataSize else { throw .sizeMismatch(tensor: t.name, shape: t.shape, byteCount: t.end - t.begin) }
                bytes = product
            }
            guard bytes == t.end - t.begin else { throw .sizeMismatch(tensor: t.name, shape: t.shape, byteCount: t.end - t.begin) }
        }
        let sorted = tensors.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        var previous: TensorEntry?
        for t in sorted {
            if t.begin < covered, let previous { throw .offsetsOverlap(first: previous.name, second: t.name) }
            if t.begin > covered { throw .uncoveredBytes(begin: covered, end: t.begin) }
            covered = t.end
            previous = t
        }
        if covered < dataSize { throw .uncoveredBytes(begin: covered, end: dataSize) }
    }
}
