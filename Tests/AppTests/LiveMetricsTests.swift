import Foundation
import Testing

/// `--metrics FILE` as a log others read while it grows (issue 11): the run line first, every
/// finished epoch there while the run goes on, a resume appending, an existing file never
/// replaced without --overwrite. The real binary, small runs.
@Suite(.serialized) struct LiveMetricsTests {
    private func binary() throws -> String {
        try #require(FileManager.default.isExecutableFile(atPath: binaryPath),
                     "no binary at \(binaryPath): run `swift build` before `swift test`")
        return binaryPath
    }

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-tui-live-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func shell(_ script: String, in directory: String) throws -> Subprocess.Result {
        try Subprocess.run("/bin/bash", ["-c", "cd \"$1\" && B=\"$2\" && " + script, "bash", directory, try binary()])
    }

    /// The whole lines of `text` as JSON objects (a last line without its newline is left out:
    /// it may be the one being written).
    private func objects(_ text: String) throws -> [[String: Any]] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // "" after the final newline, or the unfinished line
        return try lines.map { line in
            let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(value as? [String: Any], "not a JSON object: \(line)")
        }
    }

    @Test("halfway through a run the file holds the run line and every finished epoch, each line JSON")
    func readWhileWritten() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Copies of the file taken while the run is alive (checked after the copy), each time an
        // epoch has been printed on stdout: the file must already hold that epoch.
        let result = try shell("""
            true  # so that & below backgrounds the run alone, not the cd before it
            "$B" --headless --train-limit 2000 --epochs 4 --threads 1 --metrics m.jsonl > out.txt 2> err.txt &
            pid=$!
            seen=0
            for _ in $(seq 1200); do
              n=$(grep -c '^Epoch ' out.txt 2>/dev/null)
              if [ "${n:-0}" -gt "$seen" ] && [ "$n" -lt 4 ]; then
                cp m.jsonl "snap.$n"
                kill -0 $pid 2>/dev/null && echo "alive $n" || rm "snap.$n"
                seen=$n
              fi
              kill -0 $pid 2>/dev/null || break
              sleep 0.05
            done
            wait $pid
            echo "status $?"
            """, in: dir)
        #expect(result.stdout.contains("status 0"), "\(result.stdout)\(result.stderr)")
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("snap.") }
        #expect(!snapshots.isEmpty, "no copy was taken while the run was alive: \(result.stdout)")
        for name in snapshots {
            let printed = try #require(Int(name.dropFirst(5)))
            let lines = try objects(try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8))
            #expect(lines.first?["type"] as? String == "run")
            let options = try #require(lines.first?["options"] as? [String: Any])
            #expect(options["batch_size"] as? Int == 256 && options["epochs"] as? Int == 4)
            #expect(options["lr"] as? Double == 0.2 && options["optimizer"] as? String == "sgd")
            #expect((lines.first?["dataset_fingerprint"] as? String)?.count == 16)
            let epochs = lines.filter { $0["type"] as? String == "epoch" }.compactMap { $0["epoch"] as? Int }
            #expect(Array(epochs.prefix(printed)) == Array(1...printed), "\(name): epochs \(epochs)")
            #expect(!lines.contains { $0["type"] as? String == "end" }, "\(name): an end line while running")
        }
        let all = try objects(try String(contentsOfFile: "\(dir)/m.jsonl", encoding: .utf8))
        #expect(all.last?["type"] as? String == "end" && all.last?["reason"] as? String == "completed")
        #expect(all.filter { $0["type"] as? String == "epoch" }.count == 4)
    }

    @Test("an existing file is refused (64) without --overwrite and replaced with it; --resume appends")
    func refuseOverwriteResume() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quick = ["--headless", "--train-limit", "600", "--epochs", "1", "--threads", "1"]
        let path = "\(dir)/m.jsonl"
        try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
        let refused = try Subprocess.run(try binary(), quick + ["--metrics", path])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--metrics \(path): the file exists; give --overwrite"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")

        let replaced = try Subprocess.run(try binary(), quick + ["--metrics", path, "--overwrite", "--save", "\(dir)/c.ckpt"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let first = try objects(try String(contentsOfFile: path, encoding: .utf8))
        #expect(first.first?["type"] as? String == "run" && first.last?["type"] as? String == "end")

        let resumed = try Subprocess.run(try binary(), ["--headless", "--epochs", "2", "--threads", "1",
                                                        "--resume", "\(dir)/c.ckpt", "--metrics", path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let both = try objects(try String(contentsOfFile: path, encoding: .utf8))
        #expect(both.count > first.count)
        #expect(both.prefix(first.count).map { $0["type"] as? String } == first.map { $0["type"] as? String })
        let second = both[first.count]
        #expect(second["type"] as? String == "run")
        let from = try #require(second["resumed_from"] as? [String: Any])
        #expect(from["path"] as? String == "\(dir)/c.ckpt" && from["epoch"] as? Int == 2 && from["step"] as? Int == 3)
        #expect(both.filter { $0["type"] as? String == "epoch" }.compactMap { $0["epoch"] as? Int } == [1, 2])
    }
}
