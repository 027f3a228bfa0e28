import ArgumentParser
import Engine
import Foundation
import MNISTData
import Terminal

/// `mnist-tui [train]`: trains a multilayer perceptron on MNIST and shows it live in the terminal
/// (the default subcommand of `MNISTTUI`, so `mnist-tui` alone trains).
///
/// Defaults reproduce the tutorial: 784-512-256-10 with ReLU, N(0, 0.01) weights, plain SGD at
/// lr 0.2, batch 256, 20 epochs, on the bundled MNIST. In a terminal it opens the dashboard;
/// with `--headless`, or when stdout is not a terminal, it prints one line per epoch instead.
public struct MNISTTUICommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an MLP on MNIST and watch and steer it live (the default subcommand).",
        discussion: """
            Opens a live dashboard when stdout is a terminal; runs headless (one plain line per \
            epoch) with --headless, when output is piped, or when TERM cannot be driven. \
            The defaults are the tutorial's configuration on the bundled MNIST.
            Exit status: 0 done, 1 bad data or a runtime error, 2 training diverged, 64 bad \
            option, 128+N ended by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT; \
            141 when stdout is a pipe whose reader went away). A failed write to stdout ends the run \
            with status 1 (the --save checkpoint is still written).
            """
    )

    // MARK: Mode and output

    @OptionGroup public var screen: ScreenOptions

    /// JSON Lines metrics file.
    @Option(help: ArgumentHelp("Write per-batch and per-epoch metrics as JSON Lines to FILE.",
                               valueName: "FILE"), completion: .file())
    public var metrics: String?

    /// Lets --metrics replace an existing file (a new run never does so silently).
    @Flag(help: "Let --metrics replace an existing file (without it a new run refuses; --resume appends).")
    public var overwrite = false

    // MARK: Data

    @OptionGroup public var dataOptions: DatasetOptions

    @OptionGroup public var ghostOptions: GhostOptions

    /// Train on the first N training images only.
    @Option(name: .customLong("train-limit"), parsing: .unconditional, help: ArgumentHelp("Train on the first N training images only.", valueName: "N"))
    public var trainLimit: Int?

    // MARK: Model and optimiser

    // Options that a checkpoint also records are optional here (their defaults are applied in
    // `trainingConfig()`), so that `--resume` can tell a flag the user gave from a default.

    // Numeric options take their value `.unconditional`ly, so that `--lr -1` reaches the range check
    // ("--lr must be ... > 0") instead of ArgumentParser's "Missing value" for a dash-led value.

    @Option(parsing: .unconditional, help: "Number of passes over the training set (default: 20; with --resume: the total to reach).")
    public var epochs: Int?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Images per training step (the last partial batch is kept). (default: 256)")
    public var batchSize: Int?

    @Option(help: "sgd, adam or adamw, with torch.optim's formulas and defaults (Adam's betas 0.9/0.999, eps 1e-8). (default: sgd)")
    public var optimizer: OptimizerKind?

    @Option(parsing: .unconditional,
            help: "Learning rate. (default: 0.2 for sgd, 0.001 for adam and adamw; with --resume: changes the saved run's rate from its next batch)")
    public var lr: Float?

    @Option(parsing: .unconditional, help: "SGD momentum in [0, 1); --optimizer sgd only. (default: 0)")
    public var momentum: Float?

    @Option(name: .customLong("weight-decay"), parsing: .unconditional,
            help: "Weight decay: L2 for sgd and adam, decoupled for adamw. (default: 0; 0.01 for adamw)")
    public var weightDecay: Float?

    /// Hidden layer widths, comma-separated.
    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated. (default: 512,256)", valueName: "W,W,..."))
    public var hidden: String?

    @Option(name: .customLong("init"),
            help: "Weight initialisation: normal (N(0, 0.01), the tutorial's), default (PyTorch nn.Linear), xavier or he. (default: normal)")
    public var initScheme: InitChoice?

    /// 0 by default, so that two runs with the same options are the same run.
    @Option(parsing: .unconditional, help: "Random seed for initialisation and shuffling; the same seed and threads give the same run. (default: 0)")
    public var seed: UInt64?

    // MARK: Checkpoints

    @Option(help: ArgumentHelp("Write a checkpoint to FILE when the run ends (also on q in the dashboard, asking first, and on SIGINT/SIGTERM/SIGHUP).",
                               valueName: "FILE"), completion: .file())
    public var save: String?

    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional,
            help: ArgumentHelp("Also write the --save checkpoint after every N epochs.", valueName: "N"))
    public var checkpointEvery: Int?

    @Option(help: ArgumentHelp("Continue the run saved in FILE exactly (--epochs may extend it; options it records must agree with it).",
                               valueName: "FILE"), completion: .file())
    public var resume: String?

    @Option(name: .customLong("inspect-checkpoint"),
            help: ArgumentHelp("Print what the checkpoint FILE holds and exit (the same as `mnist-tui inspect FILE`).",
                               valueName: "FILE"), completion: .file())
    public var inspectCheckpoint: String?

    // MARK: Files for other tools

    @Option(help: ArgumentHelp("Write the weights to FILE as safetensors when the run ends, however it ends (PyTorch's nn.Sequential layout).",
                               valueName: "FILE"), completion: .file(extensions: ["safetensors"]))
    public var export: String?

    @Option(help: ArgumentHelp("Write TensorBoard scalars (batch loss, epoch loss and accuracy, lr) to an event file in DIR.",
                               valueName: "DIR"), completion: .directory)
    public var tensorboard: String?

    @Option(parsing: .unconditional, help: "Threads for BLAS and the sparse first layer (default: the machine's cores).")
    public var threads: Int?

    // MARK: Comparing runs

    @OptionGroup public var compare: CompareOptions

    public init() {}

    // MARK: Limits

    /// Upper bounds that keep a typo from asking for gigabytes (a hidden width of 10^9, say).
    static let maxLayerWidth = 16_384
    static let maxBatchSize = 65_536
    static let maxThreads = 256
    /// The engine keeps one Float per batch of the whole run: --epochs 10^14 trapped reserving it.
    static let maxEpochs = 1_000_000

    // MARK: Validation

    public mutating func validate() throws {
        if let epochs { try Self.requirePositive(epochs, "--epochs", max: Self.maxEpochs) }
        if let batchSize { try Self.requirePositive(batchSize, "--batch-size", max: Self.maxBatchSize) }
        if let trainLimit { try Self.requirePositive(trainLimit, "--train-limit") }
        if let threads { try Self.requirePositive(threads, "--threads", max: Self.maxThreads) }
        if let optimizer, optimizer != .sgd, momentum != nil {
            throw ValidationError(TrainingConfigError.momentumWithoutSGD(optimizer).commandLineMessage)
        }
        if let hidden { _ = try Self.parseHidden(hidden) }
        // The engine's own checks (learning rate, momentum, weight decay...), in the flags' words.
        do {
            try trainingConfig().validate()
        } catch let error as TrainingConfigError {
            throw ValidationError(error.commandLineMessage)
        }
        if let metrics { try Self.requireWritableFileLocation(metrics, option: "--metrics") }
        if let save { try Self.requireWritableFileLocation(save, option: "--save") }
        if let export { try Self.requireWritableFileLocation(export, option: "--export") }
        try OutputPaths.check(metrics: metrics, save: save, resume: resume, export: export, tensorboard: tensorboard)
        try OutputPaths.checkMetricsReplacement(metrics, resume: resume, overwrite: overwrite)
        if let checkpointEvery {
            try Self.requirePositive(checkpointEvery, "--checkpoint-every")
            guard save != nil else { throw ValidationError("--checkpoint-every needs --save FILE (where to write)") }
        }
        if let resume, resume.isEmpty { throw ValidationError("--resume needs a file name") }
        _ = try comparedRuns()  // every --vs run parses and validates (CompareOptions.swift)
    }

    /// `"512,256"` -> `[512, 256]`; anything else is a one-line error naming `--hidden`.
    static func parseHidden(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var widths: [Int] = []
        for part in parts {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let width = Int(trimmed) else {
                throw ValidationError("--hidden must be comma-separated layer widths like 512,256 (got '\(text)')")
            }
            guard width > 0 && width <= maxLayerWidth else {
                throw ValidationError("--hidden widths must be between 1 and \(maxLayerWidth) (got \(width) in '\(text)')")
            }
            widths.append(width)
        }
        return widths
    }

    private static func requirePositive(_ value: Int, _ option: String, max: Int = Int.max) throws {
        guard value > 0 else { throw ValidationError("\(option) must be a positive whole number (got \(value))") }
        guard value <= max else { throw ValidationError("\(option) must be at most \(max) (got \(value))") }
    }

    private static func requireWritableFileLocation(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option) needs a file name") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("\(option) \(path): is a directory, not a file")
        }
        // "run.ckpt/" would pass the folder check below (its folder is "."), train the whole run and
        // then fail to write: a name ending in "/" can only be a folder, so refuse it now.
        guard !path.hasSuffix("/") else {
            throw ValidationError("\(option) \(path): ends with /, so it names a folder, not a file")
        }
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("\(option) \(path): folder \(directory) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw ValidationError("\(option) \(path): folder \(directory) is not writable")
        }
    }

    // MARK: What the options mean

    /// The engine configuration these options describe (call after `validate()`).
    public func trainingConfig() throws -> TrainingConfig {
        var config = TrainingConfig()
        if let epochs { config.epochs = epochs }
        if let batchSize { config.batchSize = batchSize }
        let kind = optimizer ?? .sgd
        config.optimizer = kind
        config.learningRate = lr ?? kind.defaultLearningRate
        if let momentum { config.momentum = momentum }
        config.weightDecay = weightDecay ?? kind.defaultWeightDecay
        if let hidden { config.hidden = try Self.parseHidden(hidden) }
        if let initScheme { config.initScheme = initScheme.scheme }
        if let seed { config.seed = seed }
        config.threads = threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        config.trainLimit = trainLimit
        return config
    }

    /// Where the data comes from.
    public var datasetSource: DatasetSource { dataOptions.source }

    // MARK: Running

    public func run() async throws {
        let status = await AppRunner(command: self).run()
        if status != 0 { throw ExitCode(status) }
    }
}

// MARK: - Option values

/// `--optimizer` values: the engine's `OptimizerKind`, whose names are the command line's.
extension OptimizerKind: ExpressibleByArgument {}

/// `--init` values (the engine's `InitScheme`, spelled for the command line).
public enum InitChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case normal
    case `default`
    case xavier
    case he

    var scheme: InitScheme {
        switch self {
        case .normal: .normal
        case .default: .default
        case .xavier: .xavier
        case .he: .he
        }
    }
}
