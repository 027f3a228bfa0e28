import Engine
import Foundation
import MNISTData

/// The `--metrics` JSON Lines format: one object per line, `"type"` first. The file is a log that
/// grows while the run trains: `tail -f`, pandas or `mnist-tui watch` read it as it is written.
///
///     {"type":"run","version":"0.2.0","started":"2026-12-02T12:00:00Z","dataset_name":"MNIST",
///      "dataset_fingerprint":"3c5e...","train_count":60000,"test_count":10000,"batches_per_epoch":235,
///      "layer_sizes":[784,512,256,10],"class_names":["0",...],"first_epoch":1,
///      "options":{"epochs":20,"batch_size":256,"optimizer":"sgd","lr":0.2,...}}
///     {"type":"batch","epoch":1,"batch":3,"step":3,"loss":2.1037,"lr":0.2,"samples_per_second":51234.5}
///     {"type":"epoch","epoch":1,"train_loss":0.41,"train_accuracy":0.88,"test_loss":0.21,
///      "test_accuracy":0.94,"train_seconds":1.21,"lr":0.2,"confusion":[[980,0,...],...],
///      "misclassified_columns":["test_index","label","predicted","p_predicted","p_label"],
///      "misclassified":[[8,5,6,0.71,0.12],...]}
///     {"type":"layers","step":50,"layers":[{"weight_rms":0.05,"grad_rms":0.002,"update_ratio":0.008,
///      "act_mean":0.4,"act_std":0.6,"dead":0.01},...]}
///     {"type":"end","reason":"completed"}
///
/// A run line starts each run (a resumed run appends one with `"resumed_from"`: the checkpoint's
/// path, epoch and step); `"options"` holds every option under its long name in snake_case (the
/// values the run used; null when not given and without a default). `"confusion"` is rows = true
/// label, columns = predicted. `"misclassified"` lists every wrong test image in test-index order
/// as arrays of `"misclassified_columns"`. The end line's reason is `completed`, `diverged`, `quit`
/// or `signal` (with `"signal"`: its number). Accuracies are fractions in [0, 1]; non-finite
/// numbers (a diverged loss) are `null`. Layer health (MetricsFormat+Runs.swift): a `layers` line
/// every `layerHealthEvery` steps (and at step 0, the initial network), and the latest figures on
/// each epoch line (`"layers_step"`, `"layers"`). In a `--vs` comparison every line carries
/// `"run"` (1-4) and `"label"` after its type.
enum MetricsFormat {
    /// The columns of each `"misclassified"` entry.
    static let misclassifiedColumns = ["test_index", "label", "predicted", "p_predicted", "p_label"]

    /// The line for `event`, or nil for events the file does not record.
    static func line(for event: TrainingEvent) -> String? {
        switch event {
        case .batch(let b):
            return "{\"type\":\"batch\",\"epoch\":\(b.epoch),\"batch\":\(b.batch),\"step\":\(b.step),"
                + "\"loss\":\(NumberFormatting.json(b.loss)),\"lr\":\(NumberFormatting.json(b.learningRate)),"
                + "\"samples_per_second\":\(NumberFormatting.json(b.samplesPerSecond))}"
        case .epoch(let e):
            let classes = e.confusion.classes
            let rows = (0..<classes).map { truth in
                "[" + (0..<classes).map { String(e.confusion[truth, $0]) }.joined(separator: ",") + "]"
            }
            let wrong = e.misclassified.map { m -> String in
                let p = { (c: Int) in m.probabilities.indices.contains(c) ? NumberFormatting.json(m.probabilities[c]) : "null" }
                return "[\(m.testIndex),\(m.label),\(m.predicted),\(p(m.predicted)),\(p(m.label))]"
            }
            return "{\"type\":\"epoch\",\"epoch\":\(e.epoch),"
                + "\"train_loss\":\(NumberFormatting.json(e.trainLoss)),"
                + "\"train_accuracy\":\(NumberFormatting.json(e.trainAccuracy)),"
                + "\"test_loss\":\(NumberFormatting.json(e.testLoss)),"
                + "\"test_accuracy\":\(NumberFormatting.json(e.testAccuracy)),"
                + "\"train_seconds\":\(NumberFormatting.json(e.trainSeconds)),"
                + "\"lr\":\(NumberFormatting.json(e.learningRate)),"
                + "\"confusion\":[\(rows.joined(separator: ","))],"
                + "\"misclassified_columns\":[\(misclassifiedColumns.map(JSONText.quoted).joined(separator: ","))],"
                + "\"misclassified\":[\(wrong.joined(separator: ","))]}"
        case .layerHealth(let health):
            return layersLine(health)
        case .started, .stateChanged, .learningRateChanged:
            return nil
        }
    }

    /// The last line of a run that ended (not written when the process is killed outright).
    static func endLine(_ ending: RunEnding) -> String {
        switch ending {
        case .completed: "{\"type\":\"end\",\"reason\":\"completed\"}"
        case .diverged: "{\"type\":\"end\",\"reason\":\"diverged\"}"
        case .quit: "{\"type\":\"end\",\"reason\":\"quit\"}"
        case .signal(let number): "{\"type\":\"end\",\"reason\":\"signal\",\"signal\":\(number)}"
        }
    }

}

/// What the run line says about a run: enough for `watch` and `report` to rebuild its `RunInfo`
/// and load its test images.
struct RunDescription: Equatable {
    var version: String
    /// ISO 8601, UTC.
    var started: String
    var info: RunInfo
    var datasetFingerprint: String
    /// The folder the data came from (absolute), or nil for a named dataset (`options.dataset`).
    var dataDirectory: String?
    /// The options as the user gave them or as the run used them, in order (name, JSON value).
    var options: [(String, String)]
    var resumedFrom: (path: String, epoch: Int, step: Int)?

    static func == (a: RunDescription, b: RunDescription) -> Bool {
        a.line == b.line
    }

    /// The dataset to load for the test images: the folder, or Fashion-MNIST, or the bundled MNIST.
    var datasetSource: DatasetSource {
        if let dataDirectory { return .directory(dataDirectory) }
        return info.datasetName == DatasetSource.fashion.displayName ? .fashion : .bundledMNIST
    }

    var line: String {
        let c = info.config
        var fields: [(String, String)] = [
            ("type", "\"run\""), ("version", JSONText.quoted(version)), ("started", JSONText.quoted(started)),
            ("dataset_name", JSONText.quoted(info.datasetName)),
            ("dataset_fingerprint", JSONText.quoted(datasetFingerprint)),
            ("data_directory", dataDirectory.map(JSONText.quoted) ?? "null"),
            ("train_count", "\(info.trainCount)"), ("test_count", "\(info.testCount)"),
            ("batches_per_epoch", "\(info.batchesPerEpoch)"),
            ("layer_sizes", "[" + info.layerSizes.map(String.init).joined(separator: ",") + "]"),
            ("class_names", "[" + info.classNames.map(JSONText.quoted).joined(separator: ",") + "]"),
            ("first_epoch", "\(info.firstEpoch)"),
            ("adam_betas", "[\(NumberFormatting.json(c.beta1)),\(NumberFormatting.json(c.beta2))]"),
            ("adam_eps", NumberFormatting.json(c.epsilon)),
        ]
        if let resumedFrom {
            fields.append(("resumed_from", "{\"path\":\(JSONText.quoted(resumedFrom.path)),"
                + "\"epoch\":\(resumedFrom.epoch),\"step\":\(resumedFrom.step)}"))
        }
        fields.append(("options", "{" + options.map { "\(JSONText.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"))
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The start time as the run line writes it: ISO 8601 in UTC, to the second.
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

extension RunDescription {
    /// The run line of the run these options start (`resumed`: the checkpoint's path and content).
    init(command: MNISTTUICommand, info: RunInfo, dataset: Dataset, source: DatasetSource,
         resumed: (path: String, checkpoint: Checkpoint)?) {
        var directory: String?
        if case .directory(let folder) = source { directory = Path.canonical(folder) ?? folder }
        let position = resumed?.checkpoint.snapshot.position
        self.init(version: ProgramVersion.number, started: Self.timestamp(), info: info,
                  datasetFingerprint: dataset.fingerprintHex, dataDirectory: directory,
                  options: command.metricsOptions(config: info.config),
                  resumedFrom: resumed.map { ($0.path, position?.epoch ?? 0, position?.step ?? 0) })
    }
}

extension MNISTTUICommand {
    /// Every option under its long name in snake_case, with the value the run used (`config`: the
    /// configuration after defaults and a resumed checkpoint); JSON values.
    func metricsOptions(config: TrainingConfig) -> [(String, String)] {
        let q = JSONText.quoted
        func text(_ value: String?) -> String { value.map(q) ?? "null" }
        func int(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        return [
            ("epochs", "\(config.epochs)"), ("batch_size", "\(config.batchSize)"),
            ("optimizer", q(config.optimizer.rawValue)), ("lr", NumberFormatting.json(config.learningRate)),
            ("momentum", NumberFormatting.json(config.momentum)),
            ("weight_decay", NumberFormatting.json(config.weightDecay)),
            ("hidden", "[" + config.hidden.map(String.init).joined(separator: ",") + "]"),
            ("init", q(config.initScheme.rawValue)), ("seed", "\(config.seed)"), ("threads", "\(config.threads)"),
            ("train_limit", int(config.trainLimit)), ("data", text(dataOptions.data)), ("dataset", text(dataOptions.dataset?.rawValue)),
            ("save", text(save)), ("checkpoint_every", int(checkpointEvery)), ("resume", text(resume)),
            ("metrics", text(metrics)), ("overwrite", "\(overwrite)"), ("export", text(export)),
            ("tensorboard", text(tensorboard)), ("headless", "\(screen.headless)"),
            ("ascii", "\(screen.ascii)"), ("no_color", "\(screen.noColor)"),
        ]
    }
}
