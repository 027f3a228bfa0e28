import Engine
import Foundation

/// One line of a `--metrics` file, read back (the inverse of `MetricsFormat`): what `watch` and
/// `report` rebuild the run from.
enum MetricsRecord {
    case run(RunInfo, datasetFingerprint: String, dataDirectory: String?, options: [(String, String)])
    case batch(BatchMetrics)
    /// The epoch's figures; `misclassified` entries carry p(predicted) and p(label) only.
    case epoch(EpochLine)
    case end(reason: String)
    /// A type this version does not know (a later version's line): skipped quietly.
    case other

    /// An epoch line as written: the summary, the matrix, the wrong digits.
    struct EpochLine {
        var summary: EpochSummary
        var confusion: ConfusionMatrix
        var misclassified: [Misclassified]

        /// The event a trainer would have sent for it, in a run of `epochs` epochs. Predictions
        /// are the test `labels` with the wrong digits' predictions put in (none without labels).
        func event(epochs: Int, labels: [UInt8]?) -> EpochMetrics {
            var predictions: [UInt8] = labels ?? []
            for wrong in misclassified where predictions.indices.contains(wrong.testIndex) {
                predictions[wrong.testIndex] = UInt8(clamping: wrong.predicted)
            }
            let s = summary
            return EpochMetrics(epoch: s.epoch, epochs: epochs, trainLoss: s.trainLoss, trainAccuracy: s.trainAccuracy,
                                testLoss: s.testLoss, testAccuracy: s.testAccuracy, trainSeconds: s.trainSeconds,
                                learningRate: s.learningRate, confusion: confusion, predictions: predictions,
                                misclassified: misclassified)
        }
    }

    /// Why a line is not a metrics line (one short phrase).
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses one line (without its newline). `batchesPerEpoch` comes from the run line before it.
    static func parse(_ line: String, batchesPerEpoch: Int) throws(Malformed) -> MetricsRecord {
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(line.utf8)) } catch {
            throw Malformed(description: "not JSON")
        }
        guard let object = value as? [String: Any] else { throw Malformed(description: "not a JSON object") }
        guard let type = object["type"] as? String else { throw Malformed(description: "no \"type\"") }
        // A --vs comparison's file (lines tagged "run"): readers follow run 1, the base run.
        if let run = object["run"] as? Int, run != 1 { return .other }
        let fields = Fields(object: object, type: type)
        switch type {
        case "run": return try parseRun(fields, object: object)
        case "batch":
            return .batch(BatchMetrics(epoch: try fields.int("epoch"), batch: try fields.int("batch"),
                                       batchesPerEpoch: batchesPerEpoch, step: try fields.int("step"),
                                       loss: Float(try fields.number("loss")), learningRate: Float(try fields.number("lr")),
                                       samplesPerSecond: try fields.number("samples_per_second")))
        case "epoch": return .epoch(try parseEpoch(fields))
        case "end": return .end(reason: try fields.string("reason"))
        default: return .other
        }
    }

    private static func parseRun(_ fields: Fields, object: [String: Any]) throws(Malformed) -> MetricsRecord {
        let options = Fields(object: try fields.object("options"), type: "run options")
        var config = TrainingConfig()
        config.epochs = try options.int("epochs")
        config.batchSize = try options.int("batch_size")
        guard let optimizer = OptimizerKind(rawValue: try options.string("optimizer")) else {
            throw Malformed(description: "run line: unknown optimizer")
        }
        config.optimizer = optimizer
        config.learningRate = Float(try options.number("lr"))
        config.momentum = Float(try options.number("momentum"))
        config.weightDecay = Float(try options.number("weight_decay"))
        config.hidden = try options.ints("hidden")
        config.initScheme = InitScheme(rawValue: try options.string("init")) ?? .normal
        config.seed = UInt64(try options.int("seed"))
        config.threads = try options.int("threads")
        config.trainLimit = options.object["train_limit"] as? Int
        let classNames = try fields.strings("class_names")
        let layers = try fields.ints("layer_sizes")
        guard layers.count >= 2, classNames.count == layers.last else {
            throw Malformed(description: "run line: layer_sizes and class_names disagree")
        }
        let info = RunInfo(layerSizes: layers, config: config, datasetName: try fields.string("dataset_name"),
                           classNames: classNames, trainCount: try fields.int("train_count"),
                           testCount: try fields.int("test_count"), batchesPerEpoch: try fields.int("batches_per_epoch"),
                           firstEpoch: try fields.int("first_epoch"))
        // The options in the file's order are lost by JSONSerialization: sorted by name, as printed JSON.
        let shown = options.object.keys.sorted().map { key in (key, Self.text(options.object[key] as Any)) }
        return .run(info, datasetFingerprint: try fields.string("dataset_fingerprint"),
                    dataDirectory: object["data_directory"] as? String, options: shown)
    }

    private static func parseEpoch(_ fields: Fields) throws(Malformed) -> EpochLine {
        let summary = EpochSummary(epoch: try fields.int("epoch"), trainLoss: try fields.number("train_loss"),
                                   trainAccuracy: try fields.number("train_accuracy"),
                                   testLoss: try fields.number("test_loss"), testAccuracy: try fields.number("test_accuracy"),
                                   trainSeconds: try fields.number("train_seconds"), learningRate: Float(try fields.number("lr")))
        // Lines from before issue 11 have neither: an empty matrix and list.
        let rows = (fields.object["confusion"] as? [[Int]]) ?? []
        var confusion = ConfusionMatrix(classes: rows.count)
        for (truth, row) in rows.enumerated() {
            guard row.count == rows.count else { throw Malformed(description: "epoch line: the confusion matrix is not square") }
            for (predicted, count) in row.enumerated() { confusion[truth, predicted] = count }
        }
        var wrong: [Misclassified] = []
        for entry in (fields.object["misclassified"] as? [[Any]]) ?? [] {
            let numbers = entry.map { ($0 as? NSNumber)?.doubleValue ?? .nan }
            guard numbers.count >= 4, let index = Int(exactly: numbers[0]), let label = Int(exactly: numbers[1]),
                  let predicted = Int(exactly: numbers[2]), index >= 0,
                  (0..<max(1, rows.count)).contains(label), (0..<max(1, rows.count)).contains(predicted) else {
                throw Malformed(description: "epoch line: a misclassified entry is not [index, label, predicted, p, ...]")
            }
            // Only p(predicted) and p(label) are recorded; the other classes show as 0.
            var probabilities = [Float](repeating: 0, count: max(rows.count, label + 1, predicted + 1))
            probabilities[predicted] = Float(numbers[3])
            if numbers.count >= 5 { probabilities[label] = Float(numbers[4]) }
            wrong.append(Misclassified(testIndex: index, label: label, predicted: predicted, probabilities: probabilities))
        }
        return EpochLine(summary: summary, confusion: confusion, misclassified: wrong)
    }

    /// A JSON value as short text (for the options table).
    static func text(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let text as String: return text
        case let number as NSNumber:
            // JSON's true and false arrive as NSNumbers too, of a boolean class (Linux and Darwin).
            if String(describing: type(of: number)).contains("Boolean") { return number.boolValue ? "true" : "false" }
            return number.stringValue
        case let list as [Any]: return list.map(text).joined(separator: ",")
        default: return "\(value)"
        }
    }

    /// Typed access to a line's fields; a missing or mistyped one is `Malformed` naming it.
    private struct Fields {
        let object: [String: Any]
        let type: String

        private func missing(_ key: String) -> Malformed { Malformed(description: "\(type) line: \"\(key)\" missing or not valid") }

        func number(_ key: String) throws(Malformed) -> Double {
            if object[key] is NSNull { return .nan }  // a diverged loss is written as null
            guard let number = object[key] as? NSNumber else { throw missing(key) }
            return number.doubleValue
        }
        func int(_ key: String) throws(Malformed) -> Int {
            guard let value = object[key] as? NSNumber, let int = Int(exactly: value.doubleValue) else { throw missing(key) }
            return int
        }
        func string(_ key: String) throws(Malformed) -> String {
            guard let value = object[key] as? String else { throw missing(key) }
            return value
        }
        func ints(_ key: String) throws(Malformed) -> [Int] {
            guard let value = object[key] as? [Int] else { throw missing(key) }
            return value
        }
        func strings(_ key: String) throws(Malformed) -> [String] {
            guard let value = object[key] as? [String] else { throw missing(key) }
            return value
        }
        func object(_ key: String) throws(Malformed) -> [String: Any] {
            guard let value = object[key] as? [String: Any] else { throw missing(key) }
            return value
        }
    }
}
