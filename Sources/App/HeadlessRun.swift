import Engine
import Terminal

/// The headless mode: trains and prints the tutorial's lines, nothing else on stdout.
enum HeadlessRun {
    /// Runs `trainer` to the end (or to a divergence or an end-of-run signal) and returns the
    /// exit status. Each line is written (unbuffered) as soon as its epoch is evaluated.
    static func run(trainer: Trainer, metrics: MetricsWriter?) async -> Int32 {
        // SIGINT/SIGTERM/SIGHUP stop the trainer after its current batch; the stream then ends
        // and the metrics are closed whole by the caller.
        let signals = SignalObserver { _ in trainer.stop() }
        defer { signals.cancel() }
        var printer = HeadlessPrinter()
        trainer.start()
        for await event in trainer.events {
            metrics?.record(event)
            for line in printer.lines(for: event) { StandardStreams.printLine(line) }
            if case .stateChanged(.diverged) = event {
                // The engine pauses on divergence for the dashboard's sake; headless ends here.
                trainer.stop()
            }
        }
        if let status = signals.received.exitStatus { return status }
        return printer.divergence == nil ? ExitStatus.success : ExitStatus.diverged
    }
}
