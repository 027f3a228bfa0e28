/// The program's version, as the metrics run line records it.
// Placeholder until the command line's own version constant (`--version`, issue 11) lands: then
// this should read that one, and this file goes.
enum ProgramVersion {
    static let text = "0.2.0"
}
