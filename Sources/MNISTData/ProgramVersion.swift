// The program's version, in one place. It lives in the lowest module so that everything that
// records which program wrote a file (checkpoints in Engine, safetensors metadata in Interchange,
// the metrics file's run line in App) and `mnist-tui --version` say the same thing.

/// mnist-tui's version (semantic versioning; raise it with each release).
public enum ProgramVersion {
    /// `0.2.0`: the number alone, for files that have a field of their own for it.
    public static let number = "0.2.0"
    /// `mnist-tui 0.2.0`: what `--version` prints.
    public static let text = "mnist-tui \(number)"
}
