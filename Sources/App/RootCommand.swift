import ArgumentParser
import MNISTData
import Terminal

/// `mnist-tui [SUBCOMMAND]`: the program's root. Without a subcommand it trains (`train` is the
/// default), so every command line from before the subcommands still works.
public struct MNISTTUI: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mnist-tui",
        abstract: "Train an MLP on MNIST and watch and steer it live in the terminal.",
        discussion: """
            Without a subcommand, mnist-tui trains: `mnist-tui --headless --epochs 2` is \
            `mnist-tui train --headless --epochs 2`; `mnist-tui train --help` lists its options.
            """,
        version: ProgramVersion.text,
        // The subcommands, one a line; the first listed is not the default (that is `train`).
        subcommands: [
            MNISTTUICommand.self,
            InspectCommand.self,
            EvaluateCommand.self,
            WatchCommand.self,
            ReportCommand.self,
        ],
        defaultSubcommand: MNISTTUICommand.self
    )

    public init() {}

    /// What `main` does before anything else: closed standard descriptors filled, SIGPIPE
    /// ignored, SIGQUIT made a crash signal, inherited signal dispositions read (`ProcessStart`).
    public static func prepareProcess() {
        ProcessStart.prepare()
    }

    /// Parses the process's arguments and runs the subcommand they name: the executable's `main`.
    ///
    /// (Calling `main()` from top-level code picks `ParsableCommand`'s synchronous overload,
    /// which refuses async commands; this spells out what the async one does.)
    public static func launch() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
