// The few POSIX file operations the interchange formats need: whole reads at an offset, whole
// writes, and an atomic replace. Errors come back as errno codes; each format wraps them in its own
// one-line error naming the file.
//
// (Engine's checkpoint writer has its own copy of the atomic replace; issue 11's merge unifies them
// in MNISTData/FileSystem.swift, after which `replaceAtomically` should call that one.)
import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: what was being done, and the errno it left.
struct SystemCallError: Error {
    let operation: String
    let code: Int32

    init(_ operation: String, _ code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    var reason: String { systemErrorText(code) }
}

enum PosixIO {
    /// Reads exactly `count` bytes at `offset` (fewer only if the file ends first).
    static func read(_ fd: Int32, count: Int, at offset: Int) throws(SystemCallError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                // count > done >= 0, so the buffer is non-empty and has a base address.
                let got = pread(fd, buffer.baseAddress! + done, min(count - done, 1 << 30), off_t(offset + done))
                if got > 0 { done += got } else if got == 0 { break } else if errno != EINTR { return errno }
            }
            return nil
        }
        if let failure { throw SystemCallError("read it", failure) }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    /// Writes all of `bytes` at the descriptor's position, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                // count > written >= 0, so the buffer is non-empty and has a base address.
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n > 0 { written += n } else if n == 0 { return EIO } else if errno != EINTR { return errno }
            }
            return nil
        }
    }

    /// Replaces `path` with `bytes` atomically: a new temporary in the same folder (mkstemp), written,
    /// fsynced, renamed over `path`, and the folder fsynced. Until the rename an existing file is
    /// untouched; a crash leaves at worst a stray ".NAME.tmp-XXXXXX". On error the temporary goes.
    static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(SystemCallError) {
        let folder = Path.parent(path)
        var template = Array(Path.join(folder, "." + Path.lastComponent(path) + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }  // a C string: never empty
        guard fd >= 0 else { throw SystemCallError("create a temporary file in \(folder)") }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var isOpen = true
        var renamed = false
        defer {
            if isOpen { close(fd) }
            if !renamed { unlink(tempPath) }
        }
        // mkstemp creates 0600; an export is an ordinary file, for other programs to read.
        let mask = umask(0)
        umask(mask)
        _ = fchmod(fd, 0o666 & ~mask)
        if let code = writeAll(fd, bytes) { throw SystemCallError("write \(tempPath)", code) }
        guard fsync(fd) == 0 else { throw SystemCallError("fsync \(tempPath)") }
        isOpen = false
        guard close(fd) == 0 else { throw SystemCallError("close \(tempPath)") }
        guard rename(tempPath, path) == 0 else { throw SystemCallError("rename \(tempPath) over it") }
        renamed = true
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            defer { close(folderFD) }
            // Some file systems cannot fsync a folder; the file is in place either way.
            if fsync(folderFD) != 0 && errno != EINVAL && errno != EROFS { throw SystemCallError("fsync the folder \(folder)") }
        }
    }
}
