import ArgumentParser
import Engine

/// `mnist-tui inspect FILE`: what a checkpoint holds, a few plain lines (also `--inspect-checkpoint`).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print what a checkpoint holds: network, dataset, options, position, history.",
        discussion: "Exit status: 0 done, 1 the file cannot be read or is not a valid checkpoint."
    )

    @Argument(help: ArgumentHelp("The checkpoint (written by --save).", valueName: "FILE"), completion: .file())
    var file: String

    func run() async throws {
        let status = CheckpointInspector.run(path: file)
        if status != ExitStatus.success { throw ExitCode(status) }
    }
}

extension CheckpointInspector {
    /// Reads the checkpoint at `path` and prints its lines; an unreadable file is one line on
    /// stderr. Returns the exit status.
    static func run(path: String) -> Int32 {
        do {
            let checkpoint = try Checkpoint.read(from: path)
            for line in lines(checkpoint, path: path) { StandardStreams.printLine(line) }
            return StandardStreams.stdoutFailureStatus() ?? ExitStatus.success
        } catch {
            StandardStreams.printError("mnist-tui: \(error)")
            return ExitStatus.failure
        }
    }
}
