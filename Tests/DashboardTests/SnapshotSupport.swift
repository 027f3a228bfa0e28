import Cells
import Foundation
import Testing
@testable import Dashboard

// Text snapshots of whole screens, stored under Tests/DashboardTests/Snapshots (excluded from the
// target, read through #filePath). A missing or different snapshot fails the test; run with
// RECORD_SNAPSHOTS=1 to (re)write them, which also fails so a recording is never a silent pass.

enum Snapshot {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots")

    static var isRecording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    static func text(_ grid: CellGrid) -> String {
        grid.lines.joined(separator: "\n") + "\n"
    }

    static func check(_ grid: CellGrid, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = text(grid)
        if isRecording {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                Issue.record("recorded snapshot \(name).txt; run again without RECORD_SNAPSHOTS=1",
                             sourceLocation: sourceLocation)
            } catch {
                Issue.record("cannot write snapshot \(url.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(url.path); record it with RECORD_SNAPSHOTS=1 swift test --filter DashboardTests",
                         sourceLocation: sourceLocation)
            return
        }
        guard expected != actual else { return }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var report = "snapshot \(name).txt differs (\(e.count) expected lines, \(a.count) actual)"
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<none>"
            let al = i < a.count ? String(a[i]) : "<none>"
            if el != al { report += "\nline \(i + 1):\n  expected: \(el)\n  actual:   \(al)" }
        }
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}
