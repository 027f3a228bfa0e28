import ArgumentParser
import CBLAS
import Engine
import Foundation
import MNISTData

// mnist-tui-bench: in one run, the CBLAS GEMM rate at the model's training shapes, the engine's
// epoch times on MNIST, and the numpy reference trainer's, with the ratios between them.
//
//   swift run -c release mnist-tui-bench --epochs 3 [--threads 2] [--data DIR] [--reference FILE]

/// The benchmark command (not a timed test).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-tui-bench",
        abstract: "Measure the GEMM floor, the engine's epoch time and the numpy reference's, in one run.")

    @Option(help: "Epochs for both the engine and the numpy reference.")
    var epochs = 3
    @Option(help: "BLAS threads for both trainers and the GEMM measurement.")
    var threads = 2
    @Option(help: "Batch size (the GEMM shapes use it too).")
    var batchSize = 256
    @Option(help: "Seed for the engine run.")
    var seed: UInt64 = 0
    @Option(name: .customLong("init"), help: "Weight initialisation of the engine run: normal|default|xavier|he.")
    var initScheme: InitScheme = .normal
    @Option(help: "Folder with the four MNIST IDX files (raw or .gz).")
    var data = BenchPaths.repositoryRoot + "/assets/mnist"
    @Option(help: "The numpy reference trainer.")
    var reference = BenchPaths.repositoryRoot + "/../shared/reference/mlp_numpy.py"
    @Option(help: "Repeats per GEMM shape (the median is reported).")
    var repeats = 50
    @Flag(help: "Skip the numpy reference run.")
    var skipNumpy = false
    @Flag(help: ArgumentHelp(
        "Keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for the engine side (the numpy run never has them).",
        discussion: "By default, when either is set, the benchmark re-executes itself without them so that both "
            + "peers run OpenBLAS on the kernels it detects for this CPU (like for like)."))
    var inheritBlasEnv = false
    @Flag(help: "Only count heap allocations per training step (needs scripts/alloc-counter.c preloaded).")
    var countAllocations = false

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be an integer > 0, got \(epochs)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256, got \(threads)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be an integer > 0, got \(batchSize)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be an integer > 0, got \(repeats)") }
    }

    func run() async throws {
        if !inheritBlasEnv { BlasEnvironment.reexecWithoutPinnedKernel() }
        let layers = [784, 512, 256, 10]
        if countAllocations {
            var config = TrainingConfig()
            config.threads = threads
            config.batchSize = batchSize
            config.seed = seed
            return try await AllocationCount.run(dataset: try IDXLoader.load(directory: data), config: config, epochs: epochs)
        }
        print("BLAS (engine side): OpenBLAS core \(String(cString: mnist_blas_description())), threads \(threads), "
              + BlasEnvironment.describe())

        // The kernels must be right before their speed means anything.
        mnist_blas_set_threads(Int32(threads))
        let check = GemmShape.training(layers: layers, batch: batchSize).map { $0.maximumRelativeError() }.max() ?? 0
        guard check < 1e-4 else {
            throw ValidationError("cblas_sgemm disagrees with a naive reference (relative error \(check)); not timing it")
        }
        print("GEMM check against a naive Double reference at the 8 shapes: ok (max relative error \(String(format: "%.1e", check)))")

        // (a) The GEMM floor.
        mnist_blas_set_threads(Int32(threads))
        let shapes = GemmShape.training(layers: layers, batch: batchSize)
        print("\n(a) cblas_sgemm at the \(shapes.count) training GEMM shapes, batch \(batchSize) (median of \(repeats)):")
        var floorPerBatch = 0.0
        for shape in shapes {
            let seconds = shape.medianSeconds(repeats: repeats)
            floorPerBatch += seconds
            print("  \(shape.name.padding(toLength: 26, withPad: " ", startingAt: 0)) \(shape.dimensions.padding(toLength: 22, withPad: " ", startingAt: 0)) "
                  + "\(fmt(shape.flops / seconds / 1e9, 1)) GFLOP/s  \(fmt(seconds * 1e6, 1)) us")
        }

        // (b) The engine.
        let dataset = try IDXLoader.load(directory: data)
        let batchesPerEpoch = (dataset.train.count + batchSize - 1) / batchSize
        let floorPerEpoch = floorPerBatch * Double(dataset.train.count) / Double(batchSize)
        print("  sum per batch \(fmt(floorPerBatch * 1e3, 3)) ms; per epoch (\(dataset.train.count) samples) \(fmt(floorPerEpoch, 3)) s")

        var config = TrainingConfig()
        config.epochs = epochs
        config.threads = threads
        config.batchSize = batchSize
        config.seed = seed
        config.initScheme = initScheme
        let trainer = try Trainer(dataset: dataset, config: config)
        print("\n(b) mnist-tui engine, \(epochs) epochs, \(batchesPerEpoch) batches an epoch:")
        trainer.start()
        var engineSeconds: [Double] = []
        for await event in trainer.events {
            if case .epoch(let m) = event {
                engineSeconds.append(m.trainSeconds)
                print("  epoch \(m.epoch): train \(fmt(m.trainSeconds, 3)) s, loss \(fmt(m.trainLoss, 4)), "
                      + "test accuracy \(fmt(m.testAccuracy * 100, 2))%")
            }
        }
        // A fingerprint of the final weights: equal across runs with one seed and thread count.
        let fingerprint = trainer.snapshot().parameters.reduce(UInt64(0xcbf2_9ce4_8422_2325)) {
            ($0 ^ UInt64($1.bitPattern)) &* 0x0000_0100_0000_01b3
        }
        print("  final weights FNV-1a: \(String(fingerprint, radix: 16))")
        let flopsPerEpoch = GemmShape.flopsPerSample(layers: layers) * Double(dataset.train.count)
        let engineMedian = median(engineSeconds)
        print("  median epoch \(fmt(engineMedian, 3)) s, effective \(fmt(flopsPerEpoch / engineMedian / 1e9, 1)) GFLOP/s, "
              + "GEMM floor / epoch time = \(fmt(floorPerEpoch / engineMedian * 100, 1))%")

        // (c) The numpy reference.
        guard !skipNumpy else { return }
        print("\n(c) numpy reference (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset): \(reference)")
        let numpySeconds = try runNumpy()
        for (i, s) in numpySeconds.enumerated() { print("  epoch \(i + 1): train \(fmt(s, 3)) s") }
        let numpyMedian = median(numpySeconds)
        print("  median epoch \(fmt(numpyMedian, 3)) s")
        print("\nnumpy / mnist-tui (median epoch time, \(threads) threads): \(fmt(numpyMedian / engineMedian, 2))x")
    }

    /// Runs the reference with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from its environment only
    /// (they pin an old kernel that slows a current numpy; see the machine's env notes).
    private func runNumpy() throws -> [Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", reference, "--data", data, "--epochs", String(epochs),
                             "--threads", String(threads), "--batch", String(batchSize), "--json"]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("\(reference): exited with status \(process.terminationStatus)")
        }
        var seconds: [Double] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let value = object["train_seconds"] as? Double else {
                throw ValidationError("\(reference): unexpected output line: \(line)")
            }
            seconds.append(value)
        }
        guard !seconds.isEmpty else { throw ValidationError("\(reference): printed no epochs") }
        return seconds
    }
}

extension InitScheme: ExpressibleByArgument {}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func fmt(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

enum BenchPaths {
    /// The repository root, from this file's location (Sources/mnist-tui-bench/BenchCommand.swift).
    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
