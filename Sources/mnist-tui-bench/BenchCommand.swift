import ArgumentParser
import CBLAS
import Engine
import Foundation
import MNISTData

// mnist-tui-bench: in one run, the CBLAS GEMM rate at the model's training shapes, the engine's
// epoch times and the numpy reference trainer's, in each OpenBLAS environment worth comparing
// (without the machine's kernel pin, like for like, and with the environment as inherited),
// closing with a table of the ratios.
//
//   swift build -c release && .build/release/mnist-tui-bench --epochs 3 [--threads 2]
//       [--data DIR | --dataset fashion] [--blas-env both|unpinned|inherited] [--skip-numpy] [--json]
//   .build/release/mnist-tui-bench --first-layer [--threads 1]   (the engine's step, first layer sparse against BLAS)
//   .build/release/mnist-tui-bench --layer-health 50 [--epochs 3]  (issue 9's layer-health figures: cost ratio)

/// The benchmark command (not a timed test).
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mnist-tui-bench",
        abstract: "Measure the GEMM floor, the engine's epoch time and the numpy reference's, in one run.",
        discussion: """
            Each OpenBLAS environment is measured in a fresh process (OpenBLAS picks its kernels when it \
            loads): 'unpinned' removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for both the engine and \
            numpy (like for like); 'inherited' keeps the environment as started, for both. With neither \
            variable set the two are the same and one is measured.
            """)

    // MARK: Options

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
    @Option(help: "Optimizer of the engine run: sgd|adam|adamw (PyTorch's default lr and weight decay).")
    var optimizer: OptimizerKind = .sgd
    @Option(help: ArgumentHelp("Read an MNIST-format dataset (the four canonical IDX files, raw or .gz) from DIR.",
                               valueName: "DIR"))
    var data: String?
    @Option(help: "mnist (bundled) or fashion (Fashion-MNIST from /usr/share/datasets/fashion-mnist).")
    var dataset: BenchDataset = .mnist
    @Option(help: "The numpy reference trainer.")
    var reference = BenchPaths.repositoryRoot + "/../shared/reference/mlp_numpy.py"
    @Option(help: "Repeats per GEMM shape (the median is reported).")
    var repeats = 50
    @Option(name: .customLong("blas-env"), help: "OpenBLAS environments to measure: both|unpinned|inherited.")
    var blasEnvironments: BlasEnvironmentChoice = .both
    @Flag(help: "Skip the numpy reference runs.")
    var skipNumpy = false
    @Flag(help: "Only count heap allocations per training step (needs scripts/alloc-counter.c preloaded).")
    var countAllocations = false
    @Option(name: .customLong("layer-health"), help: ArgumentHelp("Only time the engine's epochs with layer health every N steps against none, and print the ratio.", valueName: "N"))
    var layerHealth: Int?
    @Flag(help: "Only time the engine's step with its first layer dense (BLAS) and sparse (the kernels), on MNIST, Fashion-MNIST and random-density batches, in each environment.")
    var firstLayer = false
    @Flag(help: ArgumentHelp("Print one JSON object on stdout (per environment: kernel (what the engine's first layer ran: the sparse variant or blas), floor_seconds, engine_seconds, engine_dense_seconds (first layer forced dense: before the kernels), numpy_seconds per epoch); the report goes to stderr."))
    var json = false
    /// Internal: measure in this process's environment and print a `RESULT` line (the parent starts it).
    @Flag(help: .hidden)
    var worker = false

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be an integer > 0, got \(epochs)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be from 1 to 256, got \(threads)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be an integer > 0, got \(batchSize)") }
        guard repeats > 0 else { throw ValidationError("--repeats must be an integer > 0, got \(repeats)") }
        if data != nil && dataset != .mnist {
            throw ValidationError("--data cannot be combined with --dataset \(dataset.rawValue): --data names the dataset's folder itself")
        }
    }

    var source: DatasetSource {
        if let data { return .directory(data) }
        return dataset == .fashion ? .fashion : .bundledMNIST
    }

    var config: TrainingConfig {
        var config = TrainingConfig()
        config.epochs = epochs
        config.threads = threads
        config.batchSize = batchSize
        config.seed = seed
        config.initScheme = initScheme
        config.optimizer = optimizer
        config.learningRate = optimizer.defaultLearningRate
        config.weightDecay = optimizer.defaultWeightDecay
        return config
    }

    // MARK: Running

    func run() async throws {
        if let every = layerHealth {
            return try LayerHealthCost.run(dataset: try loadDataset(), config: config, every: max(1, every))
        }
        if countAllocations {
            return try await AllocationCount.run(dataset: try loadDataset(), config: config, epochs: epochs)
        }
        if worker && firstLayer {
            BlasThreads.set(threads)
            print("OpenBLAS kernel \(String(cString: mnist_blas_description())), \(BlasEnvironment.describeCurrent())")
            return try FirstLayerMeasurement.report(layers: [784] + config.hidden + [10], batchSize: batchSize,
                                                    threads: threads)
        }
        if worker {
            let measurement = try await EnvironmentWorker(dataset: try loadDataset(), config: config, repeats: repeats).run()
            let json = try JSONEncoder().encode(measurement)
            print(EnvironmentMeasurement.resultPrefix + String(decoding: json, as: UTF8.self))
            return
        }
        try orchestrate()
    }

    /// Loads the dataset; a data error becomes a one-line failure naming the file.
    private func loadDataset() throws -> Dataset {
        do { return try Dataset.load(source) } catch { throw BenchFailure(description: error.description) }
    }

    /// Per environment: a worker process for the GEMMs and the engine, then numpy in the same
    /// environment; then the summary table.
    private func orchestrate() throws {
        let folder: String
        do { folder = try source.folder() } catch { throw BenchFailure(description: error.description) }
        let environments = blasEnvironments.selected
        let loadAtStart = MachineLoad.oneMinute()
        if BlasEnvironment.inheritedPins.isEmpty {
            say("OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are not set here: the inherited environment is the unpinned one.")
        }
        if firstLayer {
            for environment in environments {
                say("\n=== \(environment.label) ===")
                try ChildProcess.run(ChildProcess.currentExecutable, workerArguments, environment: environment.variables,
                                     name: "benchmark worker (\(environment.rawValue))") { say("  " + $0) }
            }
            return say(MachineLoad.verdict(start: loadAtStart, end: MachineLoad.oneMinute(), threads: threads))
        }
        let numpy = NumpyReference(script: reference, dataFolder: folder, epochs: epochs, threads: threads,
                                   batchSize: batchSize)
        var comparisons: [Comparison] = []
        for environment in environments {
            say("\n=== \(environment.label) ===")
            say("[engine] \(source.displayName) from \(folder)")
            var measurement: EnvironmentMeasurement?
            try ChildProcess.run(ChildProcess.currentExecutable, workerArguments, environment: environment.variables,
                                 name: "benchmark worker (\(environment.rawValue))") { line in
                if line.hasPrefix(EnvironmentMeasurement.resultPrefix) {
                    measurement = try? JSONDecoder().decode(
                        EnvironmentMeasurement.self, from: Data(line.dropFirst(EnvironmentMeasurement.resultPrefix.count).utf8))
                } else {
                    say("  " + line)
                }
            }
            guard let measurement else {
                throw BenchFailure(description: "benchmark worker (\(environment.rawValue)) printed no result")
            }
            var numpySeconds: [Double]?
            let numpyKernel = skipNumpy ? "-" : NumpyReference.kernel(environment: environment.variables)
            if !skipNumpy {
                say("[numpy] \(reference), OpenBLAS kernel \(numpyKernel)")
                numpySeconds = try numpy.epochSeconds(environment: environment.variables) { say("  " + $0) }
            }
            comparisons.append(Comparison(environment: environment, engine: measurement, numpyKernel: numpyKernel,
                                          numpyEpochSeconds: numpySeconds))
        }
        say("\n" + SummaryTable.render(comparisons, threads: threads, epochs: epochs))
        say(MachineLoad.verdict(start: loadAtStart, end: MachineLoad.oneMinute(), threads: threads))
        if json { print(try BenchJSON(comparisons).encoded()) }
    }

    /// A line of the human-readable report: on stdout, or on stderr when stdout carries `--json`.
    private func say(_ line: String) {
        if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
    }

    /// The worker's command line: these options, data source included, plus `--worker`.
    private var workerArguments: [String] {
        var arguments = ["--worker", "--epochs", String(epochs), "--threads", String(threads),
                         "--batch-size", String(batchSize), "--seed", String(seed), "--init", initScheme.rawValue,
                         "--optimizer", optimizer.rawValue,
                         "--repeats", String(repeats)]
        if let data { arguments += ["--data", data] } else { arguments += ["--dataset", dataset.rawValue] }
        if firstLayer { arguments.append("--first-layer") }
        return arguments
    }
}

// MARK: Option values

extension InitScheme: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}

/// `--dataset` values (as the app spells them).
enum BenchDataset: String, CaseIterable, ExpressibleByArgument {
    case mnist
    case fashion
}

/// `--blas-env` values.
enum BlasEnvironmentChoice: String, CaseIterable, ExpressibleByArgument {
    case both
    case unpinned
    case inherited

    var selected: [BlasEnvironment] {
        switch self {
        case .both: BlasEnvironment.distinct
        case .unpinned: [.unpinned]
        case .inherited: [.inherited]
        }
    }
}

// MARK: Helpers

/// The machine's load average: timings taken while other work competes for the cores are not the
/// engine's (two-thread OpenBLAS, numpy's especially, slows down many times over when a core is busy).
enum MachineLoad {
    /// The 1-minute load average, when the system reports one.
    static func oneMinute() -> Double? {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) >= 1 ? loads[0] : nil
    }

    static func verdict(start: Double?, end: Double?, threads: Int) -> String {
        guard let start, let end else { return "Machine load: unknown." }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // The run itself accounts for up to `threads` runnable tasks.
        let busy = max(start, end) > Double(max(cores, threads)) + 0.5
        return "Machine load (1-minute average) \(fmt(start, 2)) at the start, \(fmt(end, 2)) at the end, \(cores) cores"
            + (busy ? ": other work competed for the cores; rerun on a quiet machine before quoting these figures." : ".")
    }
}

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
