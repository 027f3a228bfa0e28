import Engine
import Foundation

/// A whole `--metrics` file read strictly, for `report`: every line must be a metrics line (the
/// first that is not is an error naming the file and its line number).
struct RunLog {
    /// The run lines in order (a resumed run adds one).
    var runs: [(info: RunInfo, fingerprint: String, dataDirectory: String?, options: [(String, String)])] = []
    /// Per-batch losses by global step (a re-run step replaces the old one).
    var losses = [Int: Float]()
    /// Per-epoch lines by epoch number (a re-run epoch replaces the old one).
    var epochs = [Int: MetricsRecord.EpochLine]()
    /// The last step of each epoch seen (where its test loss is drawn).
    var epochEndSteps = [Int: Int]()
    var endReason: String?

    /// A line that is not a metrics line.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Malformed(description: "\(path): cannot read: \((error as NSError).localizedDescription)")
        }
        var number = 0
        var lastStep = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if line.isEmpty { continue }
            let record: MetricsRecord
            do {
                record = try MetricsRecord.parse(String(decoding: line, as: UTF8.self),
                                                 batchesPerEpoch: runs.last?.info.batchesPerEpoch ?? 0)
            } catch {
                throw Malformed(description: "\(path):\(number): not a metrics line: \(error)")
            }
            switch record {
            case .run(let info, let fingerprint, let directory, let options):
                runs.append((info, fingerprint, directory, options))
                endReason = nil
            case .batch(let batch):
                losses[batch.step] = batch.loss
                lastStep = batch.step
            case .epoch(let epoch):
                epochs[epoch.summary.epoch] = epoch
                epochEndSteps[epoch.summary.epoch] = lastStep
            case .end(let reason):
                endReason = reason
            case .other:
                break
            }
        }
        guard !runs.isEmpty else { throw Malformed(description: "\(path): no run line (is it a mnist-tui --metrics file?)") }
    }

    var lastEpoch: MetricsRecord.EpochLine? { epochs.keys.max().flatMap { epochs[$0] } }
}
