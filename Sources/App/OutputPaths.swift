import ArgumentParser
import MNISTData
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before anything runs, that the files the options name can be used as given: a whole
/// run must not be trained only to find at the end that its checkpoint cannot be written.
enum OutputPaths {
    /// - `--save` must be a regular file or a new name (never a device, FIFO or socket) whose
    ///   temporary file can be created beside it (a name too long for the file system fails here);
    /// - `--metrics` may also be a character device or FIFO (`--metrics /dev/stdout | jq`);
    /// - no two of `--save`, `--metrics` and `--resume` may name the same file (symlinks followed),
    ///   except `--resume F --save F`, which continues a run in place.
    static func check(metrics: String?, save: String?, resume: String?) throws {
        if let save {
            do throws(OutputFileError) {
                try OutputFile.check(save, allowStreams: false)
                // Creating (and removing) the temporary file proves the name and the folder work.
                try OutputFile(path: save, allowStreams: false).discard()
            } catch {
                throw ValidationError("--save \(save): \(error)")
            }
        }
        if let metrics {
            do throws(OutputFileError) { try OutputFile.check(metrics, allowStreams: true) } catch {
                throw ValidationError("--metrics \(metrics): \(error)")
            }
        }
        let named: [(option: String, path: String)] = [("--metrics", metrics), ("--save", save), ("--resume", resume)]
            .compactMap { option, path in path.map { (option, $0) } }
        for (i, a) in named.enumerated() {
            for b in named[(i + 1)...] where !(a.option == "--save" && b.option == "--resume") {
                if let identity = FileIdentity(a.path), identity == FileIdentity(b.path) {
                    throw ValidationError("\(a.option) \(a.path) and \(b.option) \(b.path) are the same file: "
                        + "one would destroy the other; give them different names")
                }
            }
        }
    }
}

/// Which file a path names: the device and inode of an existing file (symlinks followed, so two
/// spellings of one file compare equal), or the canonical path a new file would get.
enum FileIdentity: Equatable {
    case existing(device: UInt64, inode: UInt64)
    case new(String)

    init?(_ path: String) {
        guard let target = try? OutputFile.resolveSymlinks(path) else { return nil }
        var info = stat()
        if stat(target, &info) == 0 {
            self = .existing(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        } else if let folder = Path.canonical(Path.parent(target)) {
            self = .new(Path.join(folder, Path.lastComponent(target)))
        } else {
            return nil
        }
    }
}
