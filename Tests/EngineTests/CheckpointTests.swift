// The checkpoint format and file: round trip, exact resume through a file, and every way a file can
// be bad (damaged, truncated, foreign, newer, inconsistent) refused with a message naming it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MNISTData
import Synchronization
import Testing
@testable import Engine

/// A fresh empty folder under /tmp for one test.
func temporaryFolder() throws -> String {
    var template = Array("/tmp/mnist-tui-ckpt-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    try #require(made != nil)
    return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

func removeTree(_ path: String) {
    _ = system("rm -rf '\(path)'")
}

func fileBytes(_ path: String) throws -> [UInt8] {
    try Checkpoint.readFile(path)
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    let file = try #require(fopen(path, "wb"))
    defer { fclose(file) }
    #expect(bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count)
}

/// Runs `config` on `dataset` to its end (with an lr change at step 5, so the history has one) and
/// returns the final checkpoint.
func trainedCheckpoint(_ dataset: Dataset, _ config: TrainingConfig) async throws -> Checkpoint {
    let run = try trainer(dataset, config) { trainer, m in
        if m.step == 5 { trainer.setLearningRate(config.learningRate / 2) }
    }
    run.start()
    _ = await collect(run)
    return Checkpoint(trainer: run, dataset: dataset)
}

/// A checkpoint of a tiny network (a few hundred bytes: every prefix can be tried).
func tinyCheckpoint() async throws -> Checkpoint {
    let dataset = syntheticDataset(trainCount: 20, testCount: 10, side: 2, classes: 2)
    var config = smallConfig(epochs: 1)
    config.hidden = [3]
    config.batchSize = 8
    config.momentum = 0.5
    return try await trainedCheckpoint(dataset, config)
}

/// `bytes` with its CRC recomputed (to get past the checksum to the checks behind it).
func resealed(_ bytes: [UInt8]) -> [UInt8] {
    var out = Array(bytes.dropLast(4))
    let crc = CRC32.checksum(out)
    withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
    return out
}

func decodeError(_ bytes: [UInt8], path: String = "/x/run.ckpt") -> CheckpointError? {
    do {
        _ = try Checkpoint.decode(bytes, path: path)
        return nil
    } catch {
        return error
    }
}

@Suite("Checkpoint")
struct CheckpointTests {
    // MARK: Round trip and exact resume

    @Test("encode then decode gives the same checkpoint; so does a file written and read back")
    func roundTrip() async throws {
        var config = smallConfig(epochs: 2)
        config.momentum = 0.9
        config.weightDecay = 1e-4
        config.trainLimit = 500
        let dataset = syntheticDataset()
        let checkpoint = try await trainedCheckpoint(dataset, config)
        let s = checkpoint.snapshot
        #expect(s.history.learningRateChanges.count == 1 && s.history.epochs.count == 2)
        #expect(s.optimizerState.buffers.count == 1 && s.optimizerState.buffers[0].contains { $0 != 0 })
        #expect(s.position.initialLoss != nil && s.optimizerState.step == s.position.step)
        #expect(s.trainCount == 500 && checkpoint.datasetFingerprint == dataset.fingerprint)

        let bytes = checkpoint.encoded()
        #expect(Array(bytes.prefix(8)) == Array("MNISTCKP".utf8))
        #expect(try Checkpoint.decode(bytes, path: "mem") == checkpoint)

        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let path = folder + "/run.ckpt"
        try checkpoint.write(to: path)
        #expect(try Checkpoint.read(from: path) == checkpoint)
        #expect(try fileBytes(path) == bytes)
        // Overwriting leaves no temporary file behind.
        try checkpoint.write(to: path)
        #expect(try directoryEntries(folder) == ["run.ckpt"])
    }

    @Test("2 epochs, checkpoint to a file, resume in a new Trainer to 4: epochs 3 and 4 bit-identical to an unbroken run")
    func exactResumeThroughFile() async throws {
        let dataset = syntheticDataset()
        var config = smallConfig(epochs: 4)
        config.momentum = 0.5
        let straight = try Trainer(dataset: dataset, config: config)
        straight.start()
        let reference = mathEvents(await collect(straight))

        var firstConfig = config
        firstConfig.epochs = 2
        let first = try Trainer(dataset: dataset, config: firstConfig)
        first.start()
        _ = await collect(first)
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        let path = folder + "/a.ckpt"
        try Checkpoint(trainer: first, dataset: dataset).write(to: path)

        let loaded = try Checkpoint.read(from: path)
        try loaded.verify(dataset: dataset, path: path)
        #expect(loaded.epochsDone == 2)
        var resumeConfig = loaded.snapshot.config
        resumeConfig.epochs = 4
        let resumed = try Trainer(dataset: dataset, config: resumeConfig, resumingFrom: loaded.snapshot)
        resumed.start()
        let continued = mathEvents(await collect(resumed))
        let epochs = continued.compactMap(\.epochMetrics)
        #expect(epochs.map(\.epoch) == [3, 4])
        #expect(epochs == Array(reference.compactMap(\.epochMetrics).suffix(2)))
        let skip = try #require(reference.firstIndex { $0.batchMetrics?.epoch == 3 })
        #expect(continued == Array(reference[skip...]))
        // The history continues too: every batch loss of the unbroken run, in order.
        #expect(resumed.snapshot().history.batchLosses == reference.compactMap { $0.batchMetrics?.loss })
        #expect(resumed.snapshot().history.epochs.count == 4)
    }

    @Test("a checkpoint from other data is refused, naming the file")
    func otherDataset() async throws {
        let checkpoint = try await tinyCheckpoint()
        let other = syntheticDataset(trainCount: 20, testCount: 10, side: 2, classes: 2, seed: 99)
        let error = #expect(throws: CheckpointError.self) { try checkpoint.verify(dataset: other, path: "/x/run.ckpt") }
        #expect(error?.description.hasPrefix("/x/run.ckpt: the checkpoint does not fit this dataset: its synthetic data has fingerprint") == true)
    }

    // MARK: Bad files

    @Test("a flipped byte anywhere after the prelude is a checksum mismatch")
    func damaged() async throws {
        let bytes = try await tinyCheckpoint().encoded()
        for offset in [24, 40, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            var damaged = bytes
            damaged[offset] ^= 0x10
            let error = decodeError(damaged)
            #expect(error?.problem == .checksumMismatch, "offset \(offset)")
            #expect(error?.description == "/x/run.ckpt: checksum mismatch: the file is damaged")
        }
    }

    @Test("every proper prefix of a checkpoint is refused as truncated")
    func truncated() async throws {
        let bytes = try await tinyCheckpoint().encoded()
        #expect(bytes.count < 1000)
        for length in 0..<bytes.count {
            let error = decodeError(Array(bytes.prefix(length)))
            guard case .truncated(let size, let expected)? = error?.problem else {
                Issue.record("prefix \(length): \(String(describing: error))")
                continue
            }
            #expect(size == length && expected > length)
        }
        #expect(decodeError(Array(bytes.prefix(100)))?.description
            == "/x/run.ckpt: the file is truncated: 100 bytes, its header needs \(bytes.count)")
        #expect(decodeError(bytes + [0])?.problem == .trailingBytes(size: bytes.count + 1, expected: bytes.count))
    }

    @Test("foreign files (random bytes, an IDX file, text) are not checkpoints")
    func foreign() {
        var generator = SeededGenerator(seed: 5)
        for length in [1, 7, 8, 100, 5000] {
            let random = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next() % 77) }  // never "M" (77)
            #expect(decodeError(random)?.problem == .notACheckpoint)
        }
        let idxLabels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]
        #expect(decodeError(idxLabels)?.description
            == "/x/run.ckpt: not a mnist-tui checkpoint (the magic number MNISTCKP is missing)")
        #expect(decodeError(Array("MNISTCKQ and more text".utf8))?.problem == .notACheckpoint)
    }

    @Test("the magic followed by garbage never traps: refused as truncated, newer or damaged")
    func magicThenGarbage() {
        var generator = SeededGenerator(seed: 9)
        for length in [8, 24, 30, 200, 4096] {
            for _ in 0..<50 {
                let bytes = Checkpoint.magic + (0..<(length - 8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                #expect(decodeError(bytes) != nil)
            }
        }
    }

    @Test("a newer format version is refused by name (before the checksum: its layout may differ)")
    func newerVersion() async throws {
        var bytes = try await tinyCheckpoint().encoded()
        bytes[8] = 3
        #expect(decodeError(bytes)?.description
            == "/x/run.ckpt: format version 3 is newer than this mnist-tui understands (2)")
        bytes[8] = 0
        #expect(decodeError(resealed(bytes))?.problem == .invalidVersion(0))
    }

    @Test("lengths near 2^64 neither wrap around nor allocate")
    func hugeLengths() async throws {
        let bytes = try await tinyCheckpoint().encoded()
        var huge = bytes
        for i in 16..<24 { huge[i] = 0xFF }  // payload length 2^64 - 1
        #expect(decodeError(huge)?.problem == .truncated(size: bytes.count, expected: Int.max))
        // A float count claiming 2^61 elements inside a correctly sealed file.
        let headerLength = Int(bytes[12]) | Int(bytes[13]) << 8
        var claim = bytes
        for i in 0..<8 { claim[24 + headerLength + i] = i == 7 ? 0x20 : 0 }
        guard case .malformed(let what)? = decodeError(resealed(claim))?.problem else {
            Issue.record("a huge float count was not refused as malformed")
            return
        }
        #expect(what.hasPrefix("parameters claims 2305843009213693952 elements"))
    }

    @Test("a sealed file with inconsistent content is refused as malformed, saying what")
    func malformed() async throws {
        let good = try await tinyCheckpoint()
        func problem(_ change: (inout TrainingSnapshot) -> Void) -> String? {
            var bad = good
            change(&bad.snapshot)
            guard case .malformed(let what)? = decodeError(bad.encoded())?.problem else { return nil }
            return what
        }
        #expect(problem { $0.history.batchLosses.removeLast() }?.contains("batch losses") == true)
        #expect(problem { $0.parameters.removeLast() }?.contains("parameters") == true)
        #expect(problem { $0.position.batchesDone = 99 }?.contains("impossible") == true)
        #expect(problem { $0.position.epoch = 7 }?.contains("beyond the target") == true)
        #expect(problem { $0.config.batchSize = 0 }?.contains("batch size") == true)
        #expect(problem { $0.optimizerState.buffers = [] }?.contains("optimizer state buffers") == true)
        #expect(problem { $0.optimizerState.buffers[0].removeLast() }?.contains("velocity") == true)
        #expect(problem { $0.config.optimizer = .adam }?.contains("momentum") == true)
        #expect(problem { $0.position.learningRate = .nan }?.contains("learning rate") == true)
        #expect(problem { $0.classCount = 3 }?.contains("outputs") == true)
        #expect(problem { $0.position.epochStartGenerator = SeededGenerator(state: (0, 0, 0, 0)) }?.contains("generator") == true)
    }

    // MARK: Files

    @Test("reading a missing file or a folder names it and the reason")
    func unreadable() throws {
        let error = #expect(throws: CheckpointError.self) { try Checkpoint.read(from: "/nonexistent/run.ckpt") }
        #expect(error?.description == "/nonexistent/run.ckpt: cannot open it: No such file or directory")
        let folderError = #expect(throws: CheckpointError.self) { try Checkpoint.read(from: "/tmp") }
        #expect(folderError?.description == "/tmp: cannot read it: not a regular file")
    }

    @Test("a write that cannot complete fails cleanly: the old checkpoint stays, no temporary file is left")
    func failedWrite() async throws {
        let checkpoint = try await tinyCheckpoint()
        let folder = try temporaryFolder()
        defer { removeTree(folder) }

        // The target is a folder holding a file: refused before anything is written.
        #expect(mkdir(folder + "/busy.ckpt", 0o755) == 0)
        try writeBytes([1, 2, 3], to: folder + "/busy.ckpt/keep")
        let renameError = #expect(throws: CheckpointError.self) { try checkpoint.write(to: folder + "/busy.ckpt") }
        #expect(renameError?.description == "\(folder)/busy.ckpt: cannot write \(folder)/busy.ckpt: it is a folder, not a file")
        #expect(try directoryEntries(folder) == ["busy.ckpt"])
        #expect(try fileBytes(folder + "/busy.ckpt/keep") == [1, 2, 3])

        // A folder that does not exist: nothing can be created.
        let missing = #expect(throws: CheckpointError.self) { try checkpoint.write(to: folder + "/no/run.ckpt") }
        #expect(missing?.description == "\(folder)/no/run.ckpt: cannot create a temporary file in \(folder)/no: No such file or directory")

        // An unwritable folder holding an old checkpoint (root ignores permissions: skipped there).
        if geteuid() != 0 {
            let locked = folder + "/locked"
            #expect(mkdir(locked, 0o755) == 0)
            try checkpoint.write(to: locked + "/run.ckpt")
            let old = try fileBytes(locked + "/run.ckpt")
            #expect(chmod(locked, 0o555) == 0)
            defer { chmod(locked, 0o755) }
            var newer = checkpoint
            newer.snapshot.config.seed += 1
            let error = #expect(throws: CheckpointError.self) { try newer.write(to: locked + "/run.ckpt") }
            #expect(error?.description.contains("Permission denied") == true)
            #expect(try fileBytes(locked + "/run.ckpt") == old)
            #expect(try directoryEntries(locked) == ["run.ckpt"])
        }
    }
}

/// The names in `folder` (without . and ..), sorted.
func directoryEntries(_ folder: String) throws -> [String] {
    let dir = try #require(opendir(folder))
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
}

// MARK: - Committed corpus files (the fuzzer's seeds and its findings)

/// A file of Fuzz/corpus/checkpoint.
func corpusFile(_ name: String) throws -> [UInt8] {
    let testsFolder = Path.parent(Path.parent(#filePath))
    let root = Path.parent(testsFolder)
    return try fileBytes(root + "/Fuzz/corpus/checkpoint/" + name)
}

@Suite("Checkpoint corpus")
struct CheckpointCorpusTests {
    @Test("a checkpoint written by Fuzz/make-checkpoint-seeds.py (the documented format) decodes and re-encodes")
    func independentWriter() throws {
        let bytes = try corpusFile("valid-mid")
        let checkpoint = try Checkpoint.decode(bytes, path: "valid-mid")
        #expect(checkpoint.snapshot.layerSizes == [4, 3, 2])
        #expect(checkpoint.snapshot.position.epoch == 2 && checkpoint.snapshot.position.step == 4)
        #expect(checkpoint.snapshot.history.learningRateChanges == [LearningRateChange(step: 2, from: 0.2, to: 0.1)])
        #expect(checkpoint.snapshot.config.trainLimit == 20 && checkpoint.datasetFingerprint == 0x1234)
        #expect(checkpoint.snapshot.optimizerState.step == 4 && checkpoint.snapshot.optimizerState.buffers.count == 1)
        #expect(checkpoint.encoded() == bytes)
        let adamw = try Checkpoint.decode(try corpusFile("valid-adamw"), path: "valid-adamw")
        #expect(adamw.snapshot.config.optimizer == .adamw && adamw.snapshot.optimizerState.buffers.count == 2)
        #expect(adamw.encoded() == (try corpusFile("valid-adamw")))
    }

    @Test("a version-1 file (written before optimisers had state of their own) reads as SGD with its velocity")
    func versionOne() throws {
        let v1 = try Checkpoint.decode(try corpusFile("valid-v1-mid"), path: "valid-v1-mid")
        let v2 = try Checkpoint.decode(try corpusFile("valid-mid"), path: "valid-mid")
        #expect(v1.version == 1 && v2.version == 2)
        #expect(v1.snapshot == v2.snapshot && v1.datasetFingerprint == v2.datasetFingerprint)
        // Re-encoded, it is a version-2 file with the same content.
        #expect(v1.encoded() == (try corpusFile("valid-mid")))
    }

    @Test("fuzz finding: a newline in a stored string must not break the one-line error")
    func newlineInStoredString() throws {
        let bytes = try corpusFile("regression-newline-in-init-scheme")
        let sealed = resealed(bytes)
        for input in [bytes, sealed] {
            let error = try #require(decodeError(input, path: "fuzz-input"))
            #expect(!error.description.contains("\n"))
        }
        let message = decodeError(sealed)?.description ?? ""
        #expect(message.contains("unknown init scheme \"def\\0\\0\\0\\n\""), "\(message)")
    }
}

extension CheckpointCorpusTests {
    @Test("fuzz finding: a train count near Int.max must not overflow the batches-per-epoch rounding")
    func hugeTrainCount() throws {
        let bytes = try corpusFile("regression-overflow-batches-per-epoch")
        for input in [bytes, resealed(bytes)] {
            let error = try #require(decodeError(input, path: "fuzz-input"))
            #expect(!error.description.contains("\n"))
        }
        guard case .malformed? = decodeError(resealed(bytes))?.problem else {
            Issue.record("expected a malformed-content error, got \(String(describing: decodeError(resealed(bytes))))")
            return
        }
    }

    @Test("an absurd epoch target is refused before a Trainer would reserve memory for it")
    func absurdEpochs() async throws {
        var checkpoint = try await tinyCheckpoint()
        checkpoint.snapshot.config.epochs = 1 << 40
        guard case .malformed(let what)? = decodeError(checkpoint.encoded())?.problem else {
            Issue.record("not refused")
            return
        }
        #expect(what.contains("absurd"))
    }
}

@Suite("Checkpoint dataset names")
struct CheckpointDatasetNameTests {
    @Test("a dataset (a --data folder) named with a tab, newline or ESC saves a checkpoint that loads",
          arguments: ["tab\there", "new\nline", "esc\u{1B}[31mape", "\u{7F}del and \u{85}next line"])
    func controlCharactersInName(name: String) async throws {
        let synthetic = syntheticDataset(trainCount: 20, testCount: 10, side: 2, classes: 2)
        let dataset = Dataset(name: name, classNames: synthetic.classNames, train: synthetic.train, test: synthetic.test)
        var config = smallConfig(epochs: 1)
        config.hidden = [3]
        let checkpoint = try await trainedCheckpoint(dataset, config)
        let folder = try temporaryFolder()
        defer { removeTree(folder) }
        try checkpoint.write(to: folder + "/run.ckpt")
        let loaded = try Checkpoint.read(from: folder + "/run.ckpt")
        #expect(loaded == checkpoint && loaded.snapshot.datasetName == name)
        try loaded.verify(dataset: dataset, path: "run.ckpt")
        // Messages that show the name keep to one line, without raw escapes.
        let other = Dataset(name: "MNIST", classNames: synthetic.classNames, train: synthetic.train, test: synthetic.test)
        let error = #expect(throws: CheckpointError.self) { try loaded.verify(dataset: other, path: "run.ckpt") }
        let message = error?.description ?? ""
        #expect(!message.contains("\n") && !message.contains("\t") && !message.contains("\u{1B}"), "\(message)")
        #expect(message.contains(name.debugDescription), "\(message)")
    }
}
