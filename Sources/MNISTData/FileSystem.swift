// The few file-system operations the data layer needs, straight on POSIX: no Foundation, so the
// reader stays small, its errors carry the system's own reason, and the fuzz harness can compile
// these sources with nothing but zlib.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Paths

/// Path arithmetic on plain strings (package-wide: the checkpoint writer uses it too).
package enum Path {
    /// `folder/name`, without doubling a slash.
    package static func join(_ folder: String, _ name: String) -> String {
        if folder.isEmpty { return name }
        return folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }

    /// The folder part of `path` ("/a/b/c" -> "/a/b", "c" -> ".", "/c" -> "/").
    package static func parent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`, ignoring trailing slashes ("/a/b/" -> "b").
    package static func lastComponent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        let name = trimmed[trimmed.index(after: slash)...]
        return name.isEmpty ? String(trimmed) : String(name)
    }

    /// The canonical absolute path (symlinks, "." and ".." resolved), or nil if it does not exist.
    package static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

// MARK: - File kinds

enum FileKind {
    case missing, regular, directory, other

    init(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            self = .missing
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        default: self = .other
        }
    }
}

// MARK: - Process facts

enum ProcessFacts {
    /// The value of environment variable `name`, or nil when unset or empty.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let string = String(cString: value)
        return string.isEmpty ? nil : string
    }

    /// The running executable's absolute path with symlinks resolved, when the platform tells it.
    static func executablePath() -> String? {
        #if os(Linux)
        return Path.canonical("/proc/self/exe")
        #elseif canImport(Darwin)
        var size: UInt32 = 0
        _ = _NSGetExecutablePath(nil, &size)
        var buffer = [CChar](repeating: 0, count: Int(size) + 1)
        guard _NSGetExecutablePath(&buffer, &size) == 0 else { return nil }
        let path = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }  // non-empty buffer
        return Path.canonical(path) ?? path
        #else
        return nil
        #endif
    }
}

// MARK: - Reading files

/// The text of the current `errno` (package-wide: every POSIX error message ends with it).
package func systemErrorText(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// A file opened for reading; closed when released.
final class ReadableFile {
    let path: String
    let size: Int
    private let descriptor: Int32

    /// Opens `path`, which must be a regular file.
    init(path: String) throws(DataError) {
        self.path = path
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer, before
        // the type check below could refuse it. (It changes nothing for the regular file we keep.)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw DataError(path: path, problem: .unreadable(reason: systemErrorText()))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = systemErrorText()
            close(fd)
            throw DataError(path: path, problem: .unreadable(reason: reason))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw DataError(path: path, problem: .notARegularFile)
        }
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Up to `byteCount` bytes from the start of the file, without moving the read position.
    func peek(byteCount: Int) throws(DataError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var got = -1
        repeat {
            got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        } while got < 0 && errno == EINTR
        guard got >= 0 else {
            throw DataError(path: path, problem: .unreadable(reason: systemErrorText()))
        }
        return Array(bytes[..<got])
    }

    /// Reads from the current position until `buffer` is full or the file ends; returns the count.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(DataError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count {
            // Large reads are split: some systems refuse single reads above 2 GiB.
            let chunk = min(buffer.count - filled, 1 << 30)
            let got = read(descriptor, base + filled, chunk)
            if got > 0 {
                filled += got
            } else if got == 0 {
                break
            } else if errno != EINTR {
                throw DataError(path: path, problem: .unreadable(reason: systemErrorText()))
            }
        }
        return filled
    }
}
