// Writing a file the user named as an output (a checkpoint, the metrics), straight on POSIX.
// Package-wide: the checkpoint writer (Engine) and the metrics writer (App) share this one
// implementation of the atomic write.
//
// A regular file (or a new name) is replaced atomically: the bytes go to a new temporary file in
// the target's folder (mkstemp: a unique name, so two writers never share one), which is fsynced,
// then renamed over the target (atomic within one file system), then the folder is fsynced so the
// rename survives a power loss. A crash or kill -9 at any moment leaves the old file or the new
// one, plus at worst a stray ".NAME.tmp-XXXXXX". On any error the temporary file is removed.
//
// A symlink is followed: its target is replaced and the link stays. A character device or a FIFO
// (`--metrics /dev/stdout | jq`) is written straight, when the caller allows streams; renaming a
// temporary file over it would replace the device node (as root) with a plain file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file could not be opened, written or put in place. `description`: "cannot OPERATION: REASON".
package struct OutputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    package let operation: String
    package let reason: String

    package init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    package var description: String { "cannot \(operation): \(reason)" }
}

/// One output being written: to a temporary file renamed into place by `commit()`, or straight
/// into a character device or FIFO. Not thread-safe: the owner serialises calls.
package final class OutputFile {
    /// The path the user gave.
    package let path: String
    /// Where the bytes end up: `path` with symlinks followed.
    package let target: String
    /// nil when writing straight into a device or FIFO.
    private let temporaryPath: String?
    private var descriptor: Int32
    private var committed = false

    /// Where an output may go: a regular file or a name not taken yet; with `allowStreams`, also a
    /// character device or a FIFO. Anything else (a folder, a socket, a block device) is refused.
    package static func check(_ path: String, allowStreams: Bool) throws(OutputFileError) {
        _ = try kind(of: resolveSymlinks(path), allowStreams: allowStreams)
    }

    /// Opens `path` for writing (see the file's comment). Nothing at `path` changes until `commit()`.
    package init(path: String, allowStreams: Bool) throws(OutputFileError) {
        self.path = path
        target = try Self.resolveSymlinks(path)
        if try Self.kind(of: target, allowStreams: allowStreams) == .stream {
            // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging the start.
            let fd = open(target, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { throw OutputFileError(operation: "open \(target)", reason: systemErrorText()) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            descriptor = fd
            temporaryPath = nil
            return
        }
        let folder = Path.parent(target)
        var template = Array(Path.join(folder, "." + Path.lastComponent(target) + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }  // a C string: never empty
        guard fd >= 0 else {
            throw OutputFileError(operation: "create a temporary file in \(folder)", reason: systemErrorText())
        }
        descriptor = fd
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        // mkstemp creates 0600; an output is an ordinary file (umask still applies).
        let mask = umask(0)
        umask(mask)
        _ = fchmod(fd, 0o666 & ~mask)
    }

    deinit { discard() }

    /// Whether the bytes go straight into a device or FIFO (no temporary file, nothing to rename).
    package var isStream: Bool { temporaryPath == nil }

    /// Reserves `bytes` of disk for the temporary file and gives them back: a full disk is found
    /// at the start of a run, not at its end. A file system without preallocation passes.
    package func checkSpace(_ bytes: Int) throws(OutputFileError) {
        guard let temporaryPath, descriptor >= 0 else { return }
        #if canImport(Darwin)
        let status: Int32 = 0  // no posix_fallocate; the first flush finds a full disk instead
        #else
        let status = posix_fallocate(descriptor, 0, off_t(bytes))
        #endif
        _ = ftruncate(descriptor, 0)
        if status == ENOSPC || status == EDQUOT || status == EFBIG {
            throw OutputFileError(operation: "write \(temporaryPath)", reason: systemErrorText(status))
        }
    }

    /// Writes all of `bytes` (retrying short writes and EINTR).
    package func write(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        guard descriptor >= 0 else { throw OutputFileError(operation: "write \(target)", reason: "the file is closed") }
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let n = systemWrite(descriptor, base + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                let code = n == 0 ? EIO : errno
                throw OutputFileError(operation: "write \(temporaryPath ?? target)", reason: systemErrorText(code))
            }
        }
    }

    /// Puts the file in place: fsync, close and rename over the target (then fsync the folder);
    /// for a device or FIFO, just closes it.
    package func commit() throws(OutputFileError) {
        guard descriptor >= 0 else { throw OutputFileError(operation: "write \(target)", reason: "the file is closed") }
        let fd = descriptor
        descriptor = -1
        guard let temporaryPath else {
            guard close(fd) == 0 else { throw OutputFileError(operation: "close \(target)", reason: systemErrorText()) }
            return
        }
        defer { if !committed { unlink(temporaryPath) } }
        guard fsync(fd) == 0 else {
            let reason = systemErrorText()
            close(fd)
            throw OutputFileError(operation: "fsync \(temporaryPath)", reason: reason)
        }
        guard close(fd) == 0 else { throw OutputFileError(operation: "close \(temporaryPath)", reason: systemErrorText()) }
        guard rename(temporaryPath, target) == 0 else {
            throw OutputFileError(operation: "rename \(temporaryPath) over \(target)", reason: systemErrorText())
        }
        committed = true
        // Make the rename durable. Failing here leaves a whole, renamed file, so report but the data
        // is in place; an O_DIRECTORY open is unsupported on some file systems: ignore that.
        let folder = Path.parent(target)
        let dirFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            defer { close(dirFD) }
            if fsync(dirFD) != 0 && errno != EINVAL && errno != EROFS {
                throw OutputFileError(operation: "fsync the folder \(folder)", reason: systemErrorText())
            }
        }
    }

    /// Gives up: closes the file and removes the temporary one (the target is untouched). Idempotent.
    package func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        if let temporaryPath, !committed {
            unlink(temporaryPath)
            committed = true  // nothing left to remove
        }
    }

    /// Writes `bytes` to `path` atomically (regular files only): the checkpoint writer's whole job.
    package static func replace(_ path: String, with bytes: [UInt8]) throws(OutputFileError) {
        let file = try OutputFile(path: path, allowStreams: false)
        defer { file.discard() }  // after a commit: nothing left to do
        var failure: OutputFileError?
        bytes.withUnsafeBytes { buffer in
            do throws(OutputFileError) { try file.write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        try file.commit()
    }

    // MARK: Kinds and links

    private enum Kind { case file, stream }

    private static func kind(of target: String, allowStreams: Bool) throws(OutputFileError) -> Kind {
        var info = stat()
        guard stat(target, &info) == 0 else {
            if errno == ENOENT { return .file }  // a new name
            throw OutputFileError(operation: "use \(target)", reason: systemErrorText())
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFCHR where allowStreams, S_IFIFO where allowStreams: return .stream
        case S_IFDIR: throw OutputFileError(operation: "write \(target)", reason: "it is a folder, not a file")
        default: throw OutputFileError(operation: "write \(target)", reason: "it is not a regular file")
        }
    }

    /// `path` with every symlink in its last component followed (a dangling link yields the name
    /// it points to, which the write creates). The folders on the way are left as they are.
    package static func resolveSymlinks(_ path: String) throws(OutputFileError) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count >= 0 else {
                if errno == EINVAL || errno == ENOENT { return current }  // not a link / nothing there
                throw OutputFileError(operation: "follow the link \(current)", reason: systemErrorText())
            }
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = link.hasPrefix("/") ? link : Path.join(Path.parent(current), link)
        }
        throw OutputFileError(operation: "follow the link \(path)", reason: systemErrorText(ELOOP))
    }
}

/// `write(2)`; inside `OutputFile`, `write` means the method.
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
