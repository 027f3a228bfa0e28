// Reading and writing MLP weights as safetensors: the file PyTorch loads with
// `safetensors.torch.load_file` (format in SafetensorsHeader.swift, key names in
// SequentialLayout.swift).
//
// Written: float32, PyTorch's nn.Linear layout [out, in] (the transpose of mnist-tui's [in, out]),
// tensors sorted by name and packed in that order, the header padded with spaces to a multiple of
// 8 bytes (as the reference implementation writes, so the data section starts 8-byte aligned), and
// `__metadata__` describing the architecture: "format": "pt", "producer": "mnist-tui", "layers":
// "784,512,256,10", "activation": "relu", plus what the caller adds.
//
// Read: files from mnist-tui or PyTorch, checked strictly (the format's rules, then the model's:
// names, shapes that chain, F32 only, finite values). Non-finite weights are refused: every logit of
// such a model is NaN or infinite, so an accuracy computed from it would be meaningless; the writer
// still writes what it is given (a diverged run's export is the truth about that run).
import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

public enum SafetensorsFile {
    /// A decoded file: the weights in mnist-tui's layout and the header's `__metadata__`.
    public struct Contents: Sendable, Equatable {
        public let weights: MLPWeights
        public let metadata: [String: String]
    }

    /// Data sections above this are refused before reading (250 M parameters; mnist-tui's default
    /// model has 535 K).
    public static let maxDataSize = 1 << 30

    // MARK: Decoding

    /// Decodes a whole file's bytes; `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(SafetensorsError) -> Contents {
        do throws(SafetensorsError.Problem) {
            let length = try SafetensorsHeader.length(prefix: bytes.prefix(8), fileSize: bytes.count)
            let dataStart = 8 + length
            let header = try SafetensorsHeader(bytes: bytes[8..<dataStart], dataSize: bytes.count - dataStart)
            return try contents(of: header, data: bytes[dataStart...])
        } catch {
            throw SafetensorsError(path: path, problem: error)
        }
    }

    /// The model `header` describes, with its tensors converted from `data` (the data section).
    private static func contents(of header: SafetensorsHeader, data: ArraySlice<UInt8>) throws(SafetensorsError.Problem) -> Contents {
        let layout = try SequentialLayout(header.tensors)
        let layers = layout.layerSizes.map(String.init).joined(separator: ",")
        if let stored = header.metadata["layers"], stored != layers {
            throw .metadataMismatch(key: "layers", stored: stored, actual: layers)
        }
        if let stored = header.metadata["activation"], stored.lowercased() != "relu" {
            throw .metadataMismatch(key: "activation", stored: stored, actual: "relu (the only one supported)")
        }
        var weights: [[Float]] = []
        var biases: [[Float]] = []
        for l in 0..<layout.weights.count {
            let (inputs, outputs) = (layout.layerSizes[l], layout.layerSizes[l + 1])
            let w = try floats(layout.weights[l], data)  // [out, in]
            var transposed = [Float](repeating: 0, count: w.count)  // [in, out]
            for o in 0..<outputs {
                for i in 0..<inputs { transposed[i * outputs + o] = w[o * inputs + i] }
            }
            weights.append(transposed)
            biases.append(try floats(layout.biases[l], data))
        }
        return Contents(weights: MLPWeights(layerSizes: layout.layerSizes, weights: weights, biases: biases),
                        metadata: header.metadata)
    }

    /// The tensor's little-endian float32 values, all finite.
    private static func floats(_ t: TensorEntry, _ data: ArraySlice<UInt8>) throws(SafetensorsError.Problem) -> [Float] {
        let count = (t.end - t.begin) / 4
        let values = data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: t.begin + 4 * $0, as: UInt32.self))) }
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            // The index in the tensor's own shape, e.g. [row, column] of a weight.
            var index: [Int] = []
            var rest = bad
            for dimension in t.shape.reversed() {
                index.insert(rest % dimension, at: 0)
                rest /= dimension
            }
            throw .nonFinite(tensor: t.name, index: index, value: values[bad])
        }
        return values
    }

    /// Refuses weights that do not fit the data they are to be evaluated on: `inputs` pixels per
    /// image in, one logit per class out (784 and 10 for MNIST and Fashion-MNIST).
    public static func requireFit(_ weights: MLPWeights, inputs: Int, classes: Int, path: String) throws(SafetensorsError) {
        if weights.layerSizes[0] != inputs {
            throw SafetensorsError(path: path, problem: .wrongModelSize(what: "inputs", model: weights.layerSizes[0], expected: inputs))
        }
        if weights.layerSizes[weights.layerSizes.count - 1] != classes {
            throw SafetensorsError(path: path, problem: .wrongModelSize(what: "outputs", model: weights.layerSizes[weights.layerSizes.count - 1], expected: classes))
        }
    }

    // MARK: Encoding

    /// The file's bytes for `weights`; `metadata` adds keys to `__metadata__` (the architecture keys
    /// "format", "producer", "layers" and "activation" are always this writer's).
    public static func encode(_ weights: MLPWeights, metadata: [String: String] = [:]) -> [UInt8] {
        var meta = metadata
        meta["format"] = "pt"
        meta["producer"] = "mnist-tui"
        meta["layers"] = weights.layerSizes.map(String.init).joined(separator: ",")
        meta["activation"] = "relu"

        // (name, shape, values in PyTorch's layout), sorted by name as the reference writer does.
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for l in 0..<weights.layerCount {
            let (inputs, outputs) = (weights.layerSizes[l], weights.layerSizes[l + 1])
            var w = [Float](repeating: 0, count: inputs * outputs)  // [out, in]
            for i in 0..<inputs {
                for o in 0..<outputs { w[o * inputs + i] = weights.weights[l][i * outputs + o] }
            }
            tensors.append((SequentialLayout.name(layer: l, "weight"), [outputs, inputs], w))
            tensors.append((SequentialLayout.name(layer: l, "bias"), [outputs], weights.biases[l]))
        }
        tensors.sort { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }

        var header = "{\"__metadata__\":{"
        header += meta.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(meta[$0]!))" }.joined(separator: ",")  // keys of meta
        header += "}"
        var offset = 0
        for t in tensors {
            let end = offset + 4 * t.values.count
            header += ",\(JSONText.quoted(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                + "\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += headerBytes
        for t in tensors {
            t.values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    // MARK: Files

    /// Reads and checks the file at `path`. The header is read and checked first, so a foreign or
    /// damaged file is refused without reading (or allocating) its data.
    public static func read(from path: String) throws(SafetensorsError) -> Contents {
        func fail(_ operation: String) -> SafetensorsError {
            SafetensorsError(path: path, problem: .system(operation: operation, reason: systemErrorText()))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open it") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("stat it") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw SafetensorsError(path: path, problem: .notARegularFile) }
        let size = Int(info.st_size)
        do throws(SafetensorsError.Problem) {
            let prefix = try io { () throws(SystemCallError) in try PosixIO.read(fd, count: min(size, 8), at: 0) }
            let length = try SafetensorsHeader.length(prefix: prefix, fileSize: size)
            let headerBytes = try io { () throws(SystemCallError) in try PosixIO.read(fd, count: length, at: 8) }
            guard headerBytes.count == length else { throw .tooShort(size: 8 + headerBytes.count) }  // shrank meanwhile
            let dataSize = size - 8 - length
            let header = try SafetensorsHeader(bytes: headerBytes[...], dataSize: dataSize)
            guard dataSize <= maxDataSize else {
                throw .badHeader("\(dataSize) bytes of tensors, more than this program loads (\(maxDataSize))")
            }
            let data = try io { () throws(SystemCallError) in try PosixIO.read(fd, count: dataSize, at: 8 + length) }
            // A file that shrank while read: its tensors no longer fit.
            guard data.count == dataSize else { throw .uncoveredBytes(begin: data.count, end: dataSize) }
            return try contents(of: header, data: data[...])
        } catch {
            throw SafetensorsError(path: path, problem: error)
        }
    }

    /// `body`'s result, a failed system call turned into the problem it is for the file.
    private static func io<T>(_ body: () throws(SystemCallError) -> T) throws(SafetensorsError.Problem) -> T {
        do { return try body() } catch { throw .system(operation: error.operation, reason: error.reason) }
    }

    /// Writes `weights` to `path` atomically (a temporary file renamed over it).
    public static func write(_ weights: MLPWeights, metadata: [String: String] = [:], to path: String) throws(SafetensorsError) {
        do {
            try PosixIO.replaceAtomically(path, with: encode(weights, metadata: metadata))
        } catch {
            throw SafetensorsError(path: path, problem: .system(operation: error.operation, reason: error.reason))
        }
    }
}
