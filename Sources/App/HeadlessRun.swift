import Engine
import Terminal

/// The headless mode: trains and prints the tutorial's lines, nothing else on stdout.
enum HeadlessRun {
    /// Runs `trainer` to the end (or to a divergence or an end-of-run signal) and returns how it
    /// ended. Each line is written (unbuffered) as soon as its epoch is evaluated; the outputs
    /// record every event, and their reports go to stderr, so stdout keeps only the tutorial's lines.
    static func run(trainer: Trainer, outputs: RunOutputs) async -> RunEnding {
        // SIGINT/SIGTERM/SIGHUP stop the trainer after its current batch; the stream then ends.
        let signals = SignalObserver { _ in trainer.stop() }
        defer { signals.cancel() }
        var printer = HeadlessPrinter()
        trainer.start()
        for await event in trainer.events {
            // Lost output ends the run like a signal: stop, then the outputs save and close.
            for line in printer.lines(for: event) where !StandardStreams.printLine(line) { trainer.stop() }
            for report in outputs.record(event) { StandardStreams.printError("mnist-tui: \(report.text)") }
            if case .stateChanged(.diverged) = event {
                // The engine pauses on divergence for the dashboard's sake; headless ends here.
                trainer.stop()
            }
        }
        if let signal = signals.received.signal { return .signal(signal) }
        return printer.divergence != nil ? .diverged : .completed
    }
}
