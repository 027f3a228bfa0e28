import ArgumentParser
import Dashboard

/// `--compare-with FILE` (repeatable): finished runs, read from their `--metrics` files, drawn as
/// ghosts beside the live runs in the dashboard. A bad file is refused before training starts.
public struct GhostOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("compare-with"),
            help: ArgumentHelp("Draw the run recorded in FILE (a --metrics file) beside the live runs, labelled by its name; repeatable.",
                               valueName: "FILE"), completion: .file(extensions: ["jsonl"]))
    public var compareWith: [String] = []

    public init() {}

    public func validate() throws {
        _ = try runs()
    }

    /// The ghosts, in the order given; a bad file is one line naming it (and the line).
    func runs() throws -> [RunTrack] {
        do {
            return try compareWith.map { path throws(GhostRun.LoadError) in try GhostRun.load(path) }
        } catch {
            throw ValidationError(error.description)
        }
    }
}
