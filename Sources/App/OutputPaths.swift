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
    /// - `--export` as `--save`; `--tensorboard` a folder, or a new name in a writable folder;
    /// - no two of `--save`, `--metrics`, `--resume`, `--export` and `--tensorboard` may name the
    ///   same file (symlinks followed), except `--resume F --save F`, which continues a run in place.
    static func check(metrics: String?, save: String?, resume: String?,
                      export: String? = nil, tensorboard: String? = nil) throws {
        for (option, path) in [("--save", save), ("--export", export)] {
            guard let path else { continue }
            do throws(OutputFileError) {
                try OutputFile.check(path, allowStreams: false)
                // Creating (and removing) the temporary file proves the name and the folder work.
                try OutputFile(path: path, allowStreams: false).discard()
            } catch {
                throw ValidationError("\(option) \(path): \(error)")
            }
        }
        if let tensorboard { try checkFolder(tensorboard, option: "--tensorboard") }
        if let metrics {
            do throws(OutputFileError) { try OutputFile.check(metrics, allowStreams: true) } catch {
                throw ValidationError("--metrics \(metrics): \(error)")
            }
        }
        let named: [(option: String, path: String)] = [("--metrics", metrics), ("--save", save), ("--resume", resume),
                                                       ("--export", export), ("--tensorboard", tensorboard)]
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

    /// A folder the program writes into (created with its parents if missing): an existing one
    /// must be a writable folder; otherwise its nearest existing ancestor must be.
    static func checkFolder(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option) needs a folder name") }
        var candidate = path
        while true {
            var info = stat()
            if stat(candidate, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw ValidationError(candidate == path ? "\(option) \(path): exists and is not a folder"
                                                            : "\(option) \(path): \(candidate) is not a folder")
                }
                guard access(candidate, W_OK | X_OK) == 0 else {
                    throw ValidationError("\(option) \(path): folder \(candidate) is not writable")
                }
                return
            }
            guard errno == ENOENT else { throw ValidationError("\(option) \(path): \(systemErrorText())") }
            let parent = Path.parent(candidate)
            guard parent != candidate else { return }
            candidate = parent
        }
    }
}

extension OutputPaths {
    /// A new run never silently replaces an earlier run's metrics: an existing regular file is
    /// refused unless `--overwrite` (a resumed run appends to it; devices and FIFOs are written).
    static func checkMetricsReplacement(_ metrics: String?, resume: String?, overwrite: Bool) throws {
        guard let metrics, resume == nil, !overwrite, OutputFile.isExistingRegularFile(metrics) else { return }
        throw ValidationError("--metrics \(metrics): the file exists; give --overwrite to replace it "
            + "(or --resume to append to it, or another name)")
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
