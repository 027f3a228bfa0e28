import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps two runs from writing the same `--save` file: each would replace the other's checkpoint
/// in turn, silently. Held for the whole run as an `flock` on ".NAME.lock" beside the checkpoint
/// (the checkpoint itself is replaced by each save, so a lock on it would not last); the file
/// holds the owner's process id, so a refused run can say who has it. Released and removed at exit
/// (the kernel releases it if the process dies).
final class SaveLock {
    let lockPath: String
    private var descriptor: Int32

    /// Takes the lock for the checkpoint `path`, or throws one line saying who holds it.
    init(path: String) throws {
        let target = (try? OutputFile.resolveSymlinks(path)) ?? path
        lockPath = Path.join(Path.parent(target), "." + Path.lastComponent(target) + ".lock")
        descriptor = -1
        // A lock file being removed by its old owner may be opened just before it goes: then the
        // lock taken is on a file nobody else sees. Take it again on the file that is there.
        for _ in 0..<10 {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw OutputError(description: "--save \(path): cannot create the lock file \(lockPath) (\(systemErrorText()))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let owner = Self.readOwner(fd)
                close(fd)
                if code == EWOULDBLOCK {
                    throw OutputError(description: "--save \(path): another mnist-tui"
                        + (owner.map { " (pid \($0))" } ?? "") + " is saving to it; pick another file or wait for it to end")
                }
                throw OutputError(description: "--save \(path): cannot lock \(lockPath) (\(systemErrorText(code)))")
            }
            var opened = stat(), named = stat()
            if fstat(fd, &opened) == 0, stat(lockPath, &named) == 0,
               opened.st_dev == named.st_dev, opened.st_ino == named.st_ino {
                descriptor = fd
                let pid = Array("\(getpid())\n".utf8)
                _ = ftruncate(fd, 0)
                _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                return
            }
            close(fd)
        }
        throw OutputError(description: "--save \(path): cannot lock \(lockPath) (it keeps being replaced)")
    }

    /// Removes the lock file and releases the lock. Idempotent; also on deinit.
    func release() {
        guard descriptor >= 0 else { return }
        unlink(lockPath)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    private static func readOwner(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingNewlines)
    }
}

private extension String {
    var trimmingNewlines: String { String(self.filter { $0 != "\n" }) }
}
