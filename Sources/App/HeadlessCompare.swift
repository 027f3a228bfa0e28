// The headless mode of a `--vs` comparison: every run's tutorial lines, each prefixed
// `[run k: LABEL] `, in a fixed order (row by row: each run's first line, then each run's second...),
// then a table of the runs' final and best test accuracy.
import Engine
import Synchronization
import Terminal

enum HeadlessCompare {
    /// Trains the group's runs to their ends and returns how each ended. A run that diverges is
    /// stopped there (headless does not wait for a resume); the others train on. A signal stops them all.
    static func run(group: TrainingGroup, labels: [String], outputs: [RunOutputs]) async -> [RunEnding] {
        let signals = SignalObserver { _ in group.stop() }
        defer { signals.cancel() }
        let trainers = group.trainers
        let sink = OrderedLines(prefixes: labels.indices.map { prefix(run: $0 + 1, label: labels[$0]) },
                                onLostOutput: { group.stop() })
        group.start()
        let results = await withTaskGroup(of: (Int, HeadlessPrinter).self) { tasks in
            for (index, trainer) in trainers.enumerated() {
                tasks.addTask {
                    var printer = HeadlessPrinter()
                    for await event in trainer.events {
                        for report in outputs[index].record(event) {
                            StandardStreams.printError("mnist-tui: \(sink.prefixes[index])\(report.text)")
                        }
                        sink.add(printer.lines(for: event), run: index)
                        if case .stateChanged(.diverged) = event { trainer.stop() }
                    }
                    sink.finish(run: index)
                    return (index, printer)
                }
            }
            var printers = [HeadlessPrinter?](repeating: nil, count: trainers.count)
            for await (index, printer) in tasks { printers[index] = printer }
            return printers.compactMap { $0 }
        }
        for line in table(labels: labels, printers: results) where !StandardStreams.printLine(line) { break }
        if let signal = signals.received.signal { return results.map { _ in .signal(signal) } }
        return results.map { $0.divergence != nil ? .diverged : .completed }
    }

    /// `[run 2: --init default] `.
    static func prefix(run: Int, label: String) -> String { "[run \(run): \(label)] " }

    /// The closing table: one row per run, its last and its best test accuracy (with the epoch).
    static func table(labels: [String], printers: [HeadlessPrinter]) -> [String] {
        let header = ["run", "label", "final test accuracy", "best test accuracy"]
        var rows = [header]
        for (index, printer) in printers.enumerated() {
            let best = printer.epochs.max { $0.testAccuracy < $1.testAccuracy }
            let final = printer.divergence != nil ? "diverged"
                : printer.lastEpoch.map { HeadlessPrinter.percent($0.testAccuracy) } ?? "-"
            rows.append(["\(index + 1)", labels[index], final,
                         best.map { "\(HeadlessPrinter.percent($0.testAccuracy)) (epoch \($0.epoch))" } ?? "-"])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, text in
                column == row.count - 1 ? text : text + String(repeating: " ", count: widths[column] - text.count)
            }.joined(separator: "  ")
        }
    }
}

/// Prints the runs' lines row by row in run order, whatever order they arrive in: line r of run k
/// goes out once line r of every earlier run has (or that run has ended with fewer lines), so the
/// output of a comparison does not depend on how its consumers were scheduled.
final class OrderedLines: Sendable {
    let prefixes: [String]
    private let onLostOutput: @Sendable () -> Void
    private struct State {
        var lines: [[String]]
        var finished: [Bool]
        var row = 0
        var run = 0
    }
    private let state: Mutex<State>

    init(prefixes: [String], onLostOutput: @escaping @Sendable () -> Void) {
        self.prefixes = prefixes
        self.onLostOutput = onLostOutput
        state = Mutex(State(lines: prefixes.map { _ in [] }, finished: prefixes.map { _ in false }))
    }

    func add(_ lines: [String], run: Int) {
        guard !lines.isEmpty else { return }
        state.withLock { $0.lines[run] += lines }
        printReady()
    }

    func finish(run: Int) {
        state.withLock { $0.finished[run] = true }
        printReady()
    }

    private func printReady() {
        let lost = state.withLock { s -> Bool in
            var lost = false
            let longest = s.lines.map(\.count).max() ?? 0
            while s.row < longest || s.finished.contains(false) {
                let (k, r) = (s.run, s.row)
                if r < s.lines[k].count {
                    if !StandardStreams.printLine(prefixes[k] + s.lines[k][r]) { lost = true }
                } else if !s.finished[k] {
                    break
                }
                s.run += 1
                if s.run == s.lines.count { s.run = 0; s.row += 1 }
                if s.row >= longest && !s.finished.contains(false) { break }
            }
            return lost
        }
        if lost { onLostOutput() }
    }
}
