// `--vs 'OPTIONS'` (issue 9): more runs in the same invocation, each the base run's options with
// OPTIONS on top, parsed by the same parser with the same validation, trained together
// (`TrainingGroup`) and compared.
import ArgumentParser

/// The `--vs` option group of `mnist-tui train`.
public struct CompareOptions: ParsableArguments {
    @Option(name: .customLong("vs"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Also train a run whose options are these on top of the others (quoted as in a shell), "
                + "e.g. --vs '--init default'; up to 3 times. Every run shares the data, --train-limit, --epochs and --threads.",
                valueName: "OPTIONS"))
    public var vs: [String] = []

    public init() {}

    /// At most this many `--vs` (so 4 runs in all: the dashboard's focus keys 1-4).
    static let maxCompared = 3
    /// The options a `--vs` may change: the ones that make one run differ from another.
    static let perRunOptions = ["--batch-size", "--optimizer", "--lr", "--momentum", "--weight-decay", "--hidden",
                                "--init", "--seed"]
    /// Options every run shares, refused inside `--vs` (the data is loaded once; the runs advance
    /// together epoch by epoch; BLAS's thread count is the process's).
    static let sharedOptions = ["--data", "--dataset", "--train-limit", "--epochs", "--threads"]
}

/// One run of an invocation: how it is labelled and the options it runs with.
struct ComparedRun {
    /// `base` for run 1; a `--vs` run's options, normalised (`--init default`, `--lr 0.1`).
    let label: String
    let command: MNISTTUICommand
}

extension MNISTTUICommand {
    /// Whether `--vs` asks for more runs than the base.
    var isCompare: Bool { !compare.vs.isEmpty }

    /// Every run of this invocation: the base (run 1, `base`), then one per `--vs`, in order.
    /// Throws one-line `ValidationError`s naming the `--vs` value (checked by `validate()`).
    func comparedRuns() throws -> [ComparedRun] {
        var runs = [ComparedRun(label: "base", command: self)]
        guard isCompare else { return runs }
        guard compare.vs.count <= CompareOptions.maxCompared else {
            throw ValidationError("--vs can be given at most \(CompareOptions.maxCompared) times (4 runs in all); got \(compare.vs.count)")
        }
        if resume != nil { throw ValidationError("--vs cannot be combined with --resume: a checkpoint holds one run") }
        for (option, given) in [("--save", save != nil), ("--export", export != nil), ("--checkpoint-every", checkpointEvery != nil)]
        where given {
            throw ValidationError("\(option) cannot be combined with --vs yet: one file holds one run (use --metrics or --tensorboard to keep the runs)")
        }
        for text in compare.vs {
            let run = try comparedRun(text)
            if let earlier = runs.first(where: { $0.label == run.label }) {
                throw ValidationError("--vs '\(text)': the same options as \(earlier.label == "base" ? "the base run" : "another --vs"); every run must differ")
            }
            runs.append(run)
        }
        return runs
    }

    /// The run `--vs 'text'` adds: this command's per-run options, then `text`'s on top (the last
    /// value of an option wins), parsed and validated as a command line; the shared options are
    /// this command's.
    private func comparedRun(_ text: String) throws -> ComparedRun {
        func refuse(_ problem: String) -> ValidationError { ValidationError("--vs '\(text)': \(problem)") }
        let words: [String]
        do { words = try ShellWords.split(text) } catch { throw refuse("\(error)") }
        guard !words.isEmpty else { throw refuse("no options given (e.g. --vs '--init default')") }
        // `--lr=0.1` is `--lr 0.1`: one spelling for the checks and the label.
        let normalised = words.flatMap { word -> [String] in
            guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else { return [word] }
            return [String(word[..<equals]), String(word[word.index(after: equals)...])]
        }
        for word in normalised where word.hasPrefix("-") && Double(word) == nil {
            if CompareOptions.sharedOptions.contains(word) {
                throw refuse("\(word) is shared by every run; give it outside --vs")
            }
            guard CompareOptions.perRunOptions.contains(word) else {
                throw refuse("\(word) is not an option a run can vary on its own; --vs takes \(CompareOptions.perRunOptions.joined(separator: ", "))")
            }
        }
        var run: MNISTTUICommand
        do {
            run = try MNISTTUICommand.parse(perRunArguments + normalised)
            run.epochs = epochs
            run.trainLimit = trainLimit
            run.threads = threads
            run.dataOptions = dataOptions
            try run.validate()
        } catch {
            throw refuse(MNISTTUICommand.message(for: error))
        }
        return ComparedRun(label: normalised.map(ShellWords.quoted).joined(separator: " "), command: run)
    }

    /// The options that make this run what it is, as arguments (what a `--vs` is applied on top of).
    private var perRunArguments: [String] {
        var arguments: [String] = []
        if let batchSize { arguments += ["--batch-size", "\(batchSize)"] }
        if let optimizer { arguments += ["--optimizer", optimizer.rawValue] }
        if let lr { arguments += ["--lr", "\(lr)"] }  // Float's description reads back as the same Float
        if let momentum { arguments += ["--momentum", "\(momentum)"] }
        if let weightDecay { arguments += ["--weight-decay", "\(weightDecay)"] }
        if let hidden { arguments += ["--hidden", hidden] }
        if let initScheme { arguments += ["--init", initScheme.rawValue] }
        if let seed { arguments += ["--seed", "\(seed)"] }
        return arguments
    }
}

/// Splitting a string into words as a POSIX shell does for quoting: whitespace separates words,
/// '…' keeps everything literally, "…" keeps everything but \" and \\, and a backslash outside
/// quotes escapes the next character. No expansion of any kind.
enum ShellWords {
    struct Unbalanced: Error, CustomStringConvertible {
        let description: String
    }

    static func split(_ text: String) throws(Unbalanced) -> [String] {
        var words: [String] = [], current = "", inWord = false
        var characters = text.makeIterator()
        while let c = characters.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let q = characters.next() else { throw Unbalanced(description: "a ' is not closed") }
                    if q == "'" { break }
                    current.append(q)
                }
            case "\"":
                inWord = true
                while true {
                    guard let q = characters.next() else { throw Unbalanced(description: "a \" is not closed") }
                    if q == "\"" { break }
                    if q == "\\" {
                        guard let escaped = characters.next() else { throw Unbalanced(description: "a \" is not closed") }
                        if escaped != "\"" && escaped != "\\" { current.append(q) }
                        current.append(escaped)
                    } else {
                        current.append(q)
                    }
                }
            case "\\":
                inWord = true
                guard let escaped = characters.next() else { throw Unbalanced(description: "it ends with a lone \\") }
                current.append(escaped)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// `word` as a shell would need it typed: as is when plain, else in single quotes.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_.,=+:/@%".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
