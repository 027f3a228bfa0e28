// Reading and atomically writing checkpoint files, straight on POSIX (the system's own reason ends
// every error message).
//
// Atomic write: the bytes go to a new temporary file in the target's folder (mkstemp: a unique
// name, so two writers never share one), which is fsynced, then renamed over the target (atomic on
// POSIX within one file system), then the folder is fsynced so the rename itself survives a power
// loss. Until the rename the previous checkpoint is untouched; after it the new one is complete.
// A crash or kill -9 at any moment leaves either the old file or the new one, plus at worst a
// stray ".NAME.tmp-XXXXXX" next to it. On any error the temporary file is removed.
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

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
        func fail(_ operation: String, _ code: Int32 = errno) -> CheckpointError {
            CheckpointError(path: path, problem: .system(operation: operation, reason: systemErrorText(code)))
        }
        let folder = Path.parent(path)
        var template = Array(Path.join(folder, "." + Path.lastComponent(path) + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }  // a C string: never empty
        guard fd >= 0 else { throw fail("create a temporary file in \(folder)") }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(tempPath) }
        }
        // mkstemp creates 0600; a checkpoint is an ordinary file (umask still applies to the choice).
        let mask = umask(0); umask(mask)
        _ = fchmod(fd, 0o666 & ~mask)
        var written = 0
        let writeError: Int32? = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Glibc_write(fd, buffer.baseAddress! + written, buffer.count - written)  // count > 0: base exists
                if n > 0 { written += n } else if n < 0 && errno != EINTR { return errno } else if n == 0 { return EIO }
            }
            return nil
        }
        if let writeError { throw fail("write \(tempPath)", writeError) }
        guard fsync(fd) == 0 else { throw fail("fsync \(tempPath)") }
        fdOpen = false
        guard close(fd) == 0 else { throw fail("close \(tempPath)") }
        guard rename(tempPath, path) == 0 else { throw fail("rename \(tempPath) over it") }
        renamed = true
        // Make the rename durable. Failing here leaves a whole, renamed file, so report but the data
        // is already in place; an O_DIRECTORY open is unsupported on some file systems: ignore that.
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            defer { close(dirFD) }
            if fsync(dirFD) != 0 && errno != EINVAL && errno != EROFS {
                throw fail("fsync the folder \(folder)")
            }
        }
    }
}

// `read`/`write` are shadowed by the static methods above; reach the C functions by other names.
#if canImport(Glibc)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#elseif canImport(Musl)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Musl.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Musl.write(fd, buffer, count) }
#elseif canImport(Darwin)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#endif
