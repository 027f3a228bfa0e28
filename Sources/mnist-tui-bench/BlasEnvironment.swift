#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The OpenBLAS environments the benchmark compares in. OpenBLAS picks its kernels once, when the
/// library loads, so each environment is measured in a fresh child process.
///
/// This machine's environment sets `OPENBLAS_CORETYPE=Haswell` and `OPENBLAS_L2_SIZE=512`, pinning
/// OpenBLAS (Debian's and numpy's alike) to its AVX2 kernels; unset, both pick AVX-512 kernels for
/// this CPU. The benchmark reports both: like for like without the pin, and as inherited.
/// The benchmark only: the product, its tests and CI leave these variables alone.
enum BlasEnvironment: String, CaseIterable, Codable {
    /// `OPENBLAS_CORETYPE` / `OPENBLAS_L2_SIZE` removed: OpenBLAS detects the CPU itself.
    case unpinned
    /// The environment the benchmark was started with, unchanged.
    case inherited

    static let pinningVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

    /// The pinning variables set in this process's environment, as `NAME=value`.
    static var inheritedPins: [String] {
        let environment = ProcessInfo.processInfo.environment
        return pinningVariables.compactMap { name in environment[name].map { "\(name)=\($0)" } }
    }

    /// The environments worth measuring: both when something is pinned, else the one (they are equal).
    static var distinct: [BlasEnvironment] {
        inheritedPins.isEmpty ? [.unpinned] : [.unpinned, .inherited]
    }

    /// The full environment for a child process.
    var variables: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if self == .unpinned {
            for name in Self.pinningVariables { environment[name] = nil }
        }
        return environment
    }

    /// A short description for headings and the table.
    var label: String {
        switch self {
        case .unpinned: "unpinned (like for like)"
        case .inherited: "inherited (" + Self.inheritedPins.joined(separator: " ") + ")"
        }
    }

    /// What this process runs under, for the worker's first line.
    static func describeCurrent() -> String {
        let pins = inheritedPins
        return pins.isEmpty ? "OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset" : pins.joined(separator: " ")
    }
}

/// A failure the benchmark reports as one line (ArgumentParser prints it after "Error: ").
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs a child process and returns its standard output, line by line, as it comes.
enum ChildProcess {
    /// Runs `executable arguments` with `environment`; calls `line` for each line of its stdout
    /// (its stderr goes to ours unless `discardErrors`). Throws when it cannot start or exits non-zero.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    name: String, discardErrors: Bool = false, line: (String) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        if discardErrors { process.standardError = FileHandle.nullDevice }
        do { try process.run() } catch { throw BenchFailure(description: "\(name): cannot start \(executable): \(error)") }
        var pending = Data()
        while true {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                line(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { line(String(decoding: pending, as: UTF8.self)) }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchFailure(description: "\(name): exited with status \(process.terminationStatus)")
        }
    }

    /// This executable's path, to start it again as a worker.
    static var currentExecutable: String {
        #if os(Linux)
        "/proc/self/exe"
        #else
        Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
    }
}
