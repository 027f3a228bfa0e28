import Foundation
import Testing

/// Issue 13, the output files: never two options on one file, never a device node or symlink
/// replaced, problems found before training rather than after, and one run per --save file.
/// Each test failed on the code before the fix (noted per test). Small headless runs of the binary.
@Suite(.serialized) struct OutputSafetyTests {
    static let quick = ["--headless", "--epochs", "1", "--train-limit", "512", "--threads", "1"]

    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-out-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func sh(_ script: String) throws -> Subprocess.Result {
        try Subprocess.run("/bin/sh", ["-c", script])
    }

    // Item 4 (before: the run trained and the metrics writer's rename destroyed the checkpoint).
    @Test("--save and --metrics on one file, or --metrics on the --resume file, are refused up front (64)")
    func sameFileRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let same = try Subprocess.run(try binary(), Self.quick + ["--save", "\(dir)/a", "--metrics", "\(dir)/a"])
        #expect(same.status == 64, "\(same.stderr)")
        #expect(same.stderr.contains("same file"), "\(same.stderr)")
        #expect(same.stdout.isEmpty)

        // A checkpoint to resume, then the same file (through a symlink) as --metrics.
        let saved = try Subprocess.run(try binary(), Self.quick + ["--save", "\(dir)/a.ckpt"])
        #expect(saved.status == 0, "\(saved.stderr)")
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.ckpt"))
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/alias", withDestinationPath: "\(dir)/a.ckpt")
        let resumed = try Subprocess.run(try binary(), ["--headless", "--resume", "\(dir)/a.ckpt", "--epochs", "2",
                                                        "--metrics", "\(dir)/alias"])
        #expect(resumed.status == 64, "\(resumed.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/a.ckpt")) == before, "the checkpoint changed")
        // Resuming and saving in place stays allowed.
        let inPlace = try Subprocess.run(try binary(), ["--headless", "--resume", "\(dir)/a.ckpt", "--epochs", "2",
                                                        "--save", "\(dir)/a.ckpt", "--threads", "1"])
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
    }

    // Item 5 (before: the temporary file was renamed over the link, the device node or the FIFO).
    @Test("--metrics follows a symlink, writes straight into a character device and a FIFO")
    func metricsIntoLinksDevicesAndFifos() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A symlink: the link stays, its target gets the lines.
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.jsonl", withDestinationPath: "target.jsonl")
        let linked = try Subprocess.run(try binary(), Self.quick + ["--metrics", "\(dir)/link.jsonl"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/link.jsonl")) == "target.jsonl")
        let text = (try? String(contentsOfFile: "\(dir)/target.jsonl", encoding: .utf8)) ?? ""
        #expect(text.contains("\"type\":\"epoch\""))

        // A character device: a copy of /dev/null made with mknod when root (renaming over the
        // real /dev/null is what the bug did, so never risk it), else /dev/null itself.
        var device = "/dev/null"
        var null = stat()
        if getuid() == 0, stat("/dev/null", &null) == 0, mknod("\(dir)/null", S_IFCHR | 0o666, null.st_rdev) == 0 {
            device = "\(dir)/null"
        }
        let intoDevice = try Subprocess.run(try binary(), Self.quick + ["--metrics", device])
        #expect(intoDevice.status == 0, "\(intoDevice.stderr)")
        var info = stat()
        #expect(stat(device, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "\(device) is no longer a device")

        // A FIFO with a reader: the reader gets every line, the FIFO stays a FIFO.
        #expect(mkfifo("\(dir)/pipe", 0o644) == 0)
        let piped = try sh("cat '\(dir)/pipe' > '\(dir)/read.txt' & '\(try binary())' \(Self.quick.joined(separator: " ")) --metrics '\(dir)/pipe'; s=$?; wait; exit $s")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(stat("\(dir)/pipe", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")
        let read = (try? String(contentsOfFile: "\(dir)/read.txt", encoding: .utf8)) ?? ""
        #expect(read.split(separator: "\n").count == 7,
                "the run line, 2 batches, the layer health of steps 0 and 2, an epoch and the end line: \(read)")
        let expected = ["link.jsonl", "pipe", "read.txt", "target.jsonl"] + (device == "/dev/null" ? [] : ["null"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == expected.sorted())
    }

    // Item 5: a checkpoint cannot live in a device or FIFO (before: as root it replaced the node).
    @Test("--save into a device node or a FIFO is refused up front (64)")
    func saveIntoDeviceRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo("\(dir)/pipe", 0o644) == 0)
        for target in ["\(dir)/pipe", "/dev/null"] {
            let result = try Subprocess.run(try binary(), Self.quick + ["--save", target])
            #expect(result.status == 64, "\(target): \(result.stderr)")
            #expect(result.stderr.contains("not a regular file"), "\(result.stderr)")
        }
    }

    // Last paragraph (before: the name's trouble was found after training, at the first save).
    @Test("a --save name too long for the file system is refused before training (64)")
    func saveNameTooLong() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = "\(dir)/" + String(repeating: "c", count: 250) + ".ckpt"
        let result = try Subprocess.run(try binary(), Self.quick + ["--save", long])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "trained before refusing")
        #expect(result.stderr.contains("--save") && result.stderr.contains("too long"), "\(result.stderr)")
    }

    // Last paragraph (before: both runs wrote the file in turn, silently).
    @Test("a second run saving to the same file is refused, naming the process that holds it")
    func saveLocked() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bin = try binary()
        let result = try sh("""
            '\(bin)' --headless --epochs 20 --train-limit 6000 --threads 1 --save '\(dir)/run.ckpt' >/dev/null 2>&1 &
            first=$!
            for i in $(seq 100); do [ -e '\(dir)/.run.ckpt.lock' ] && break; sleep 0.1; done
            '\(bin)' \(Self.quick.joined(separator: " ")) --save '\(dir)/run.ckpt'
            s=$?
            echo "first=$first" >&2
            kill -TERM $first; wait $first
            exit $s
            """)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "the second run trained")
        let pid = result.stderr.split(separator: "\n").first { $0.hasPrefix("first=") }?.dropFirst(6) ?? "?"
        #expect(result.stderr.contains("another mnist-tui (pid \(pid)) is saving to it"), "\(result.stderr)")
        // The first run, ended by SIGTERM, saved its checkpoint and removed its lock file.
        #expect(FileManager.default.fileExists(atPath: "\(dir)/run.ckpt"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/.run.ckpt.lock"))
    }

    // Last paragraph (before: reported only after training; the partial file stayed on the full disk).
    @Test("a metrics file on a full disk is refused at the start and leaves nothing behind")
    func metricsOnFullDisk() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = "\(dir)/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        // A 64 KiB tmpfs, filled up. Mounting needs root: without it this check cannot run, and
        // says so as a failure rather than passing unseen.
        try #require(getuid() == 0, "needs root to mount a tiny tmpfs (the full-disk check did not run)")
        let mounted = try sh("mount -t tmpfs -o size=64k tmpfs '\(disk)' && (cat /dev/zero > '\(disk)/fill' 2>/dev/null; true)")
        try #require(mounted.status == 0, "cannot mount a tmpfs here: \(mounted.stderr) (the full-disk check did not run)")
        defer { _ = try? sh("umount '\(disk)'") }
        let result = try Subprocess.run(try binary(), Self.quick + ["--metrics", "\(disk)/m.jsonl"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "trained before refusing")
        #expect(result.stderr.contains("--metrics") && result.stderr.contains("No space left on device"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk) == ["fill"])
    }

    // Last paragraph (before: a write failure was reported after training). Since issue 11 the file
    // is a log others read while it grows: what was written stays, the report comes at once.
    @Test("a metrics write that fails mid-run is reported at once; the lines written stay whole; training goes on")
    func metricsFailingMidRun() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = "\(dir)/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try #require(getuid() == 0, "needs root to mount a tiny tmpfs (the full-disk check did not run)")
        // 80 KiB: room for the run line and the first 64 KiB flush, not for the second.
        let mounted = try sh("mount -t tmpfs -o size=80k tmpfs '\(disk)'")
        try #require(mounted.status == 0, "cannot mount a tmpfs here: \(mounted.stderr) (the full-disk check did not run)")
        defer { _ = try? sh("umount '\(disk)'") }
        // stderr into stdout, both unbuffered: the order of the lines is the order of events.
        let result = try sh("'\(try binary())' --headless --epochs 2 --train-limit 6000 --batch-size 8 --threads 1 "
                            + "--metrics '\(disk)/m.jsonl' 2>&1")
        #expect(result.status == 1, "\(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let failure = lines.firstIndex { $0.contains("No space left on device") && $0.contains("no more metrics are written") }
        // The file fills up during epoch 1: the report comes before epoch 2 is trained, not at the end.
        let epoch = lines.firstIndex { $0.hasPrefix("Epoch 2/2") }
        #expect(failure != nil && epoch != nil, "\(lines)")
        if let failure, let epoch { #expect(failure < epoch, "reported only after training: \(lines)") }
        // Every line but (possibly) the last, cut by the full disk, is whole JSON; the run line first.
        let written = try String(contentsOfFile: "\(disk)/m.jsonl", encoding: .utf8).split(separator: "\n").dropLast()
        #expect(written.count > 100)
        #expect(written.first?.hasPrefix("{\"type\":\"run\"") == true)
        for line in written { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "torn: \(line)") }
    }

    // QA of issue 13 (before: the run trained to the end, the save failed twice and nothing was kept).
    @Test("a --save on a full disk loses nothing: the run is rescued to TMPDIR, named on stderr, status 1")
    func saveOnFullDiskRescued() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = "\(dir)/disk", rescue = "\(dir)/rescue"
        for path in [disk, rescue] { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try #require(getuid() == 0, "needs root to mount a tiny tmpfs (the full-disk check did not run)")
        // 64 KiB: far too small for the checkpoint of a 784-512-256-10 network (about 2 MB).
        let mounted = try sh("mount -t tmpfs -o size=64k tmpfs '\(disk)'")
        try #require(mounted.status == 0, "cannot mount a tmpfs here: \(mounted.stderr) (the full-disk check did not run)")
        defer { _ = try? sh("umount '\(disk)'") }
        let result = try sh("TMPDIR='\(rescue)' '\(try binary())' \(Self.quick.joined(separator: " ")) --save '\(disk)/r.ckpt'")
        #expect(result.status == 1, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n")
        #expect(errors.filter { $0.contains("No space left on device") }.count == 1, "reported once: \(result.stderr)")
        let rescued = try FileManager.default.contentsOfDirectory(atPath: rescue).filter { $0.hasSuffix(".ckpt") }
        #expect(rescued.count == 1, "\(result.stderr)")
        if let name = rescued.first {
            #expect(result.stderr.contains("\(rescue)/\(name)"), "the rescue is named: \(result.stderr)")
            let inspect = try Subprocess.run(try binary(), ["inspect", "\(rescue)/\(name)"])
            #expect(inspect.status == 0 && inspect.stdout.contains("1 epoch done"), "\(inspect.stdout)\(inspect.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).filter { !$0.hasPrefix(".") && $0 != "r.ckpt" }.isEmpty)
    }
}
