import Engine
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--save FILE` as one of the run's outputs: saves every `--checkpoint-every` epochs, when the
/// run completes, and when it ends any other way except the user's own answer at the quit question
/// (a signal, a divergence headless). Reports each save; a failed final save is an error (status 1),
/// and the run is then rescued to another folder (see `rescue`) so that a full disk loses nothing.
final class CheckpointPolicy: RunOutput {
    let saver: CheckpointSaver
    /// `--checkpoint-every N`.
    let every: Int?
    /// The save when `.done` arrived: nil before it, then whether it worked.
    private let finalSave = Mutex<Bool?>(nil)

    init(saver: CheckpointSaver, every: Int?) {
        self.saver = saver
        self.every = every
    }

    func record(_ event: TrainingEvent) -> [OutputReport] {
        switch event {
        case .epoch(let metrics):
            guard let every, metrics.epoch % every == 0 else { return [] }
            // A failure is reported; training goes on (a later save may work).
            return [save()]
        case .stateChanged(.done):
            var report = save()
            report.savedRun = !report.isError
            finalSave.withLock { $0 = report.savedRun }
            return [report]
        default:
            return []
        }
    }

    func finish(_ ending: RunEnding) -> [OutputReport] {
        guard ending.savesCheckpoint else { return [] }
        switch finalSave.withLock({ $0 }) {
        case true?:
            return []
        case false?:
            // The save at the end of the run failed and was reported: trying the same path again
            // would only say so twice.
            return rescue()
        case nil:
            let report = save()
            return report.isError ? [report] + rescue() : [report]
        }
    }

    /// After the --save path failed (a full disk, a folder made read-only): the run is written to
    /// `$TMPDIR` (or /tmp), then to the working folder, so it is not lost with the process. The
    /// status stays 1: the file the user asked for is not there.
    private func rescue() -> [OutputReport] {
        let name = "mnist-tui-rescued-\(getpid()).ckpt"
        let folders = [getenv("TMPDIR").map { String(cString: $0) }, "/tmp", "."].compactMap { $0 }
        var tried: [String] = []
        for folder in folders where !folder.isEmpty {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            do {
                let report = try saver.save(to: path)
                return [OutputReport(text: "the run is not lost: \(report); --resume \(path) continues it",
                                     isError: true)]
            } catch {
                tried.append(path)
            }
        }
        return [OutputReport(text: "could not rescue the run either (tried \(tried.joined(separator: ", ")))",
                             isError: true)]
    }

    private func save() -> OutputReport {
        do {
            return OutputReport(text: try saver.save())
        } catch {
            return OutputReport(text: "\(error)", isError: true)
        }
    }
}
