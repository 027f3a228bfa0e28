// Reading and atomically writing checkpoint files, straight on POSIX (the system's own reason ends
// every error message). The atomic write is MNISTData's `OutputFile` (shared with the metrics
// writer): until the rename the previous checkpoint is untouched; after it the new one is complete.
import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Checkpoint {
    /// Files larger than this are refused before reading (a real one is a few MB; 4 GiB of weights
    /// would not fit any network this program builds).
    static let maxFileSize = 4 << 30

    /// Reads and decodes the checkpoint at `path`.
    public static func read(from path: String) throws(CheckpointError) -> Checkpoint {
        let bytes = try readFile(path)
        return try decode(bytes, path: path)
    }

    /// Writes this checkpoint to `path` atomically (see the file's comment).
    public func write(to path: String) throws(CheckpointError) {
        try Self.writeAtomically(encoded(), to: path)
    }

    // MARK: Reading

    static func readFile(_ path: String) throws(CheckpointError) -> [UInt8] {
        func fail(_ operation: String, _ code: Int32 = errno) -> CheckpointError {
            CheckpointError(path: path, problem: .system(operation: operation, reason: systemErrorText(code)))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open it") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail("stat it") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError(path: path, problem: .system(operation: "read it", reason: "not a regular file"))
        }
        let size = Int(info.st_size)
        guard size <= maxFileSize else {
            throw CheckpointError(path: path, problem: .malformed("the file is \(size) bytes, far larger than any checkpoint"))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let got = Glibc_read(fd, buffer.baseAddress! + done, size - done)  // size > done >= 0: base exists
                if got > 0 { done += got } else if got == 0 { break } else if errno != EINTR { return errno }
            }
            return nil
        }
        if let failure { throw fail("read it", failure) }
        // A file that shrank while read is truncated: decode sees the shorter array.
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    // MARK: Atomic write

    /// Through the one atomic writer the program has (`OutputFile`): a regular file or a new name
    /// only, symlinks followed; never a device or FIFO (a checkpoint there would be lost).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        do {
            try OutputFile.replace(path, with: bytes)
        } catch {
            throw CheckpointError(path: path, problem: .system(operation: error.operation, reason: error.reason))
        }
    }
}

// `read` is shadowed by the static method above; reach the C function by another name.
#if canImport(Glibc)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
#elseif canImport(Musl)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Musl.read(fd, buffer, count) }
#elseif canImport(Darwin)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
#endif
