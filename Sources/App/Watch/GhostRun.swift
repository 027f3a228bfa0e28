import Dashboard
import Engine

/// A finished run read back from its metrics file (`--compare-with FILE`), to draw beside the live
/// runs: its batch losses, epochs and how it ended, labelled by the file's name.
///
/// The file is read whole, in lines, by the same follower and parser `watch` uses. A line that is
/// not a metrics line (cut short, not JSON, a field of the wrong type) is an error naming the file
/// and the line; only an unfinished last line (its writer is still at work) is skipped, and counted
/// on screen.
enum GhostRun {
    /// One line: the option, the file, the line and what is wrong with it.
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ path: String) throws(LoadError) -> RunTrack {
        func failure(_ text: String) -> LoadError { LoadError(description: "--compare-with \(path): \(text)") }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var follower = MetricsFollower(path: path)
        defer { follower.close() }
        var track: RunTrack?
        while true {
            let poll = follower.poll()
            guard poll.exists else { throw failure("no such file") }
            if let problem = poll.failure { throw LoadError(description: "--compare-with: \(problem)") }
            if poll.lines.isEmpty { break }
            for (number, text) in poll.lines {
                let record: MetricsRecord
                do {
                    record = try MetricsRecord.parse(text, batchesPerEpoch: track?.info.batchesPerEpoch ?? 0)
                } catch {
                    throw failure("line \(number): \(error)")
                }
                if case .run(let info, _, _, _) = record, track == nil {
                    track = RunTrack(info: info, label: name, isGhost: true)
                }
                guard var run = track else { throw failure("line \(number): comes before the run line (is it a --metrics file?)") }
                switch record {
                case .run(let info, _, _, _): run.apply(.started(info), now: 0)
                case .batch(let batch): run.apply(.batch(batch), now: 0)
                case .epoch(let line): run.apply(.epoch(line.event(epochs: run.info.config.epochs, labels: nil)), now: 0)
                case .end(let reason): run.apply(.stateChanged(reason == "completed" ? .done : .stopped), now: 0)
                case .other: break
                }
                track = run
            }
        }
        guard var run = track else {
            throw failure(follower.unfinishedLineBytes > 0 ? "line 1 is unfinished: no run line yet" : "empty: no run line")
        }
        if follower.unfinishedLineBytes > 0 { run.partialLinesSkipped = 1 }
        return run
    }
}
