import Engine
import Foundation
import Testing

/// The real binary in a hostile environment, outside a terminal (issue 13 items 3 and 11, issue 11's
/// nohup): lost output is an error, a closed pipe ends the run with its checkpoint saved, a hangup
/// that was ignored at start stays ignored.
@Suite(.serialized) struct HostileEnvironmentTests {
    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-hostile-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `script` with bash, the binary as "$B" and the folder as the working directory.
    private func shell(_ script: String, in directory: String) throws -> Subprocess.Result {
        try Subprocess.run("/bin/bash", ["-c", "cd \"$1\" && B=\"$2\" && " + script, "bash", directory, try binary()])
    }

    /// Files in `directory` other than the ones named (partial metrics files, stray temporaries).
    private func strayFiles(in directory: String, besides expected: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { !expected.contains($0) }
    }

    /// Every line of a metrics file is a whole JSON object, and the file ends with a newline.
    private func expectWholeMetrics(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "metrics file ends mid-line")
        let lines = text.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    // MARK: Lost output (item 11)

    @Test("stdout to /dev/full or closed: one line on stderr naming stdout, status 1, checkpoint saved",
          arguments: [("/dev/full", "No space left on device"), ("closed", "Bad file descriptor")])
    func lostOutputIsAnError(target: String, reason: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redirect = target == "closed" ? ">&-" : "> \(target)"
        let result = try shell("exec \"$B\" --headless --train-limit 1000 --epochs 2 --threads 1 --save s.ckpt \(redirect)",
                               in: dir)
        #expect(result.status == 1, "\(target): \(result.stderr)")
        let complaints = result.stderr.split(separator: "\n").filter { $0.contains("stdout") }
        #expect(complaints.count == 1, "\(target): \(result.stderr)")
        #expect(complaints.first?.contains(reason) == true, "\(target): \(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/s.ckpt"), "\(target): no checkpoint")
        _ = try Checkpoint.read(from: dir + "/s.ckpt")
    }

    // MARK: A closed pipe (item 3)

    @Test("| head -1: status 141, checkpoint saved and loadable, metrics file whole, nothing partial left")
    func closedPipeKeepsTheRun() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 50 epochs: head has long exited when the second or third line is written.
        let result = try shell("\"$B\" --headless --train-limit 1000 --epochs 50 --threads 1 --save p.ckpt "
                               + "--metrics p.jsonl | head -1; exit ${PIPESTATUS[0]}", in: dir)
        #expect(result.status == 141, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Epoch 1/50, Loss: "), "\(result.stdout)")
        let checkpoint = try Checkpoint.read(from: dir + "/p.ckpt")
        #expect(checkpoint.epochsDone >= 1 && checkpoint.epochsDone < 50, "\(checkpoint.epochsDone) epochs saved")
        try expectWholeMetrics(dir + "/p.jsonl")
        #expect(try strayFiles(in: dir, besides: ["p.ckpt", "p.jsonl"]) == [])
        #expect(result.stderr.contains("checkpoint saved to p.ckpt"), "\(result.stderr)")
    }

    // MARK: nohup (issue 11)

    @Test("SIGHUP ignored at start (nohup) stays ignored: a hangup mid-run changes nothing, status 0")
    func hangupIgnoredAtStartStaysIgnored() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The hangup arrives once the first epoch line is out, so the run is well under way.
        let result = try shell("""
            trap '' HUP
            "$B" --headless --train-limit 1000 --epochs 5 --threads 1 --metrics m.jsonl > out.txt 2> err.txt &
            pid=$!
            for _ in $(seq 600); do grep -q '^Epoch 1/' out.txt 2>/dev/null && break; sleep 0.1; done
            kill -HUP $pid
            kill -HUP $pid
            wait $pid
            echo "status $?"
            grep -c '^Epoch ' out.txt
            """, in: dir)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "status 0", "\(result.stdout)\(result.stderr)")
        #expect(lines.dropFirst().first == "5", "the run did not finish its 5 epochs: \(result.stdout)")
        try expectWholeMetrics(dir + "/m.jsonl")
    }
}
