import Engine
import Terminal

/// The headless mode: trains and prints the tutorial's lines, nothing else on stdout.
enum HeadlessRun {
    /// Runs `trainer` to the end (or to a divergence or an end-of-run signal) and returns the
    /// exit status. Each line is written (unbuffered) as soon as its epoch is evaluated.
    /// With `--save` (`saver.automatic`) a checkpoint is written every `--checkpoint-every` epochs
    /// and when the run ends, however it ends (done, diverged, or a signal: saved before exiting);
    /// reports go to stderr, so stdout keeps only the tutorial's lines.
    static func run(trainer: Trainer, metrics: MetricsWriter?, saver: CheckpointSaver) async -> Int32 {
        // SIGINT/SIGTERM/SIGHUP stop the trainer after its current batch; the stream then ends
        // and the metrics are closed whole by the caller.
        let signals = SignalObserver { _ in trainer.stop() }
        defer { signals.cancel() }
        var printer = HeadlessPrinter()
        trainer.start()
        for await event in trainer.events {
            metrics?.record(event)
            // Lost output ends the run like a signal: stop, then save and close as below.
            for line in printer.lines(for: event) where !StandardStreams.printLine(line) { trainer.stop() }
            if case .epoch(let m) = event, saver.isDue(afterEpoch: m.epoch) {
                _ = save(saver)  // a failure is reported; training goes on (the final save may work)
            }
            if case .stateChanged(.diverged) = event {
                // The engine pauses on divergence for the dashboard's sake; headless ends here.
                trainer.stop()
            }
        }
        let saved = !saver.automatic || save(saver)
        if let status = signals.received.exitStatus { return status }
        if let status = StandardStreams.stdoutFailureStatus() { return status }
        if printer.divergence != nil { return ExitStatus.diverged }
        return saved ? ExitStatus.success : ExitStatus.failure
    }

    /// Saves and reports on stderr; false if it failed.
    private static func save(_ saver: CheckpointSaver) -> Bool {
        do {
            StandardStreams.printError("mnist-tui: \(try saver.save())")
            return true
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return false
        }
    }
}
