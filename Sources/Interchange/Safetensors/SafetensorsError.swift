// Everything that can be wrong with a safetensors file, as one line naming the file.

/// A safetensors file could not be read or written.
///
/// `description` is one line, `"<path>: <what is wrong>"`, ready to print before exiting non-zero;
/// `problem` carries the same facts for callers and tests to match on.
public struct SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        // The file itself
        /// A system call failed ("open it", "read it", "rename ... over it").
        case system(operation: String, reason: String)
        case notARegularFile
        /// Shorter than the 8-byte header length.
        case tooShort(size: Int)
        /// The header length points past the end of the file (a truncated file, or not safetensors).
        case headerPastEnd(headerLength: UInt64, fileSize: Int)
        /// Above the reference implementation's 100 MB limit.
        case headerTooLarge(headerLength: UInt64)
        case headerNotUTF8
        case badJSON(offset: Int, detail: String)
        /// Valid JSON, but not the header's structure (an entry that is not a tensor description...).
        case badHeader(String)
        case noTensors

        // Tensor layout (the format's own rules)
        case unsupportedDType(tensor: String, dtype: String)
        case offsetsReversed(tensor: String, begin: Int, end: Int)
        case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
        case sizeMismatch(tensor: String, shape: [Int], byteCount: Int)
        case offsetsOverlap(first: String, second: String)
        /// Bytes of the data section that no tensor claims (the format allows no holes).
        case uncoveredBytes(begin: Int, end: Int)

        // The model (an `nn.Sequential` of Linear and ReLU)
        case unexpectedTensor(name: String, expected: String)
        case missingTensor(name: String)
        case wrongShape(tensor: String, shape: [Int], expected: String)
        /// Layer `tensor` takes `inputs` but the layer before it (`previous`) gives `previousOutputs`.
        case shapesDoNotChain(tensor: String, inputs: Int, previous: String, previousOutputs: Int)
        case nonFinite(tensor: String, index: [Int], value: Float)
        /// `__metadata__` contradicts the tensors (e.g. "layers" is not the chain the shapes give).
        case metadataMismatch(key: String, stored: String, actual: String)
        /// The model does not fit the data it is meant for (`SafetensorsFile.requireFit`): `what` is
        /// "inputs" or "outputs".
        case wrongModelSize(what: String, model: Int, expected: Int)

        public var description: String {
            switch self {
            case .system(let operation, let reason): "cannot \(operation): \(reason)"
            case .notARegularFile: "not a regular file"
            case .tooShort(let size): "not a safetensors file: \(size) bytes, shorter than the 8-byte header length"
            case .headerPastEnd(let length, let size):
                "header length \(length) runs past the end of the file (\(size) bytes): truncated, or not a safetensors file"
            case .headerTooLarge(let length): "header length \(length) is above the format's limit of 100000000 bytes"
            case .headerNotUTF8: "the header is not valid UTF-8"
            case .badJSON(let offset, let detail): "the header is not valid JSON (byte \(offset) of the header: \(detail))"
            case .badHeader(let detail): "bad header: \(detail)"
            case .noTensors: "the file holds no tensors"
            case .unsupportedDType(let tensor, let dtype):
                "tensor \(shown(tensor)) has dtype \(shown(dtype)); only F32 is supported (in PyTorch: model.float() before saving)"
            case .offsetsReversed(let tensor, let begin, let end):
                "tensor \(shown(tensor)) has data_offsets [\(begin), \(end)]: the end is before the beginning"
            case .offsetsOutOfRange(let tensor, let begin, let end, let dataSize):
                "tensor \(shown(tensor)) has data_offsets [\(begin), \(end)] outside the \(dataSize) data bytes after the header"
            case .sizeMismatch(let tensor, let shape, let byteCount):
                "tensor \(shown(tensor)) has shape \(shape) but its data_offsets span \(byteCount) bytes"
            case .offsetsOverlap(let first, let second): "tensors \(shown(first)) and \(shown(second)) overlap in the file"
            case .uncoveredBytes(let begin, let end):
                "data bytes [\(begin), \(end)) belong to no tensor (the format allows no holes or trailing bytes)"
            case .unexpectedTensor(let name, let expected):
                "unexpected tensor \(shown(name)): expected the Linear layers of an nn.Sequential (\(expected))"
            case .missingTensor(let name): "missing tensor \(shown(name))"
            case .wrongShape(let tensor, let shape, let expected): "tensor \(shown(tensor)) has shape \(shape), expected \(expected)"
            case .shapesDoNotChain(let tensor, let inputs, let previous, let previousOutputs):
                "tensor \(shown(tensor)) takes \(inputs) inputs but \(shown(previous)) gives \(previousOutputs) outputs"
            case .nonFinite(let tensor, let index, let value):
                "tensor \(shown(tensor)) holds \(value) at \(index): a diverged model cannot be evaluated"
            case .metadataMismatch(let key, let stored, let actual):
                "__metadata__ \(shown(key)) is \(shown(stored)) but the tensors say \(shown(actual))"
            case .wrongModelSize(let what, let model, let expected):
                "the model has \(model) \(what), the data needs \(expected)"
            }
        }
    }
}

/// `text` as it can stand in a one-line message: bare when it is short printable ASCII, else quoted
/// with every other character escaped (a tensor name in a hostile file may hold a newline), and cut
/// to 60 characters.
func shown(_ text: String) -> String {
    let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" }
    let limit = 60
    if plain && text.unicodeScalars.count <= limit { return text }
    var out = "\""
    for (i, scalar) in text.unicodeScalars.enumerated() {
        if i == limit { out += "..."; break }
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case " "..."~": out.unicodeScalars.append(scalar)
        default: out += "\\u{" + String(scalar.value, radix: 16) + "}"
        }
    }
    return out + "\""
}
