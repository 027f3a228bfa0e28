// Why a checkpoint could not be read or written: one line naming the file and what is wrong.

/// A checkpoint that cannot be read, written or used. `description` is one line:
/// "PATH: what is wrong", e.g. "/x/run.ckpt: checksum mismatch: the file is damaged".
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The checkpoint file (as the user gave it).
    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }

    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The file does not start with the magic number "MNISTCKP".
        case notACheckpoint
        /// The file ends before the length its header (or the fixed prelude) requires.
        case truncated(size: Int, expected: Int)
        /// Bytes follow the checksum.
        case trailingBytes(size: Int, expected: Int)
        /// Written by a newer mnist-tui.
        case newerVersion(found: UInt32, supported: UInt32)
        /// A version number no mnist-tui ever wrote (0).
        case invalidVersion(UInt32)
        /// The CRC-32 over the file does not match the one stored at its end.
        case checksumMismatch
        /// The checksum matches but the content is inconsistent (written by a bug, or crafted).
        case malformed(String)
        /// The checkpoint does not fit the data it is resumed on.
        case datasetMismatch(String)
        /// A system call failed (open, read, write, fsync, rename...).
        case system(operation: String, reason: String)

        public var description: String {
            switch self {
            case .notACheckpoint:
                "not a mnist-tui checkpoint (the magic number MNISTCKP is missing)"
            case .truncated(let size, let expected):
                "the file is truncated: \(size) bytes, its header needs \(expected)"
            case .trailingBytes(let size, let expected):
                "the file has \(size - expected) unexpected bytes after its end (\(size) bytes, its header says \(expected))"
            case .newerVersion(let found, let supported):
                "format version \(found) is newer than this mnist-tui understands (\(supported))"
            case .invalidVersion(let found):
                "format version \(found) is not valid"
            case .checksumMismatch:
                "checksum mismatch: the file is damaged"
            case .malformed(let what):
                "malformed checkpoint: \(what)"
            case .datasetMismatch(let what):
                "the checkpoint does not fit this dataset: \(what)"
            case .system(let operation, let reason):
                "cannot \(operation): \(reason)"
            }
        }
    }
}
