import Foundation
import MNISTData

/// A throwaway IDX reader for the benchmark until MNISTData's loader lands on main: decompresses
/// with the system's gzip, checks only what the benchmark needs. Not for user input.
enum IDXLoader {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func load(directory: String) throws -> Dataset {
        let train = try images(directory, "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte")
        let test = try images(directory, "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte")
        return Dataset(name: "MNIST", classNames: (0..<10).map(String.init), train: train, test: test)
    }

    private static func images(_ directory: String, _ imageName: String, labels labelName: String) throws -> LabeledImages {
        let imageBytes = try read(directory, imageName)
        let labelBytes = try read(directory, labelName)
        guard imageBytes.count >= 16, labelBytes.count >= 8 else { throw Failure(description: "\(imageName): too short") }
        func be32(_ bytes: [UInt8], _ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        let count = be32(imageBytes, 4), rows = be32(imageBytes, 8), cols = be32(imageBytes, 12)
        guard imageBytes.count == 16 + count * rows * cols, labelBytes.count == 8 + count else {
            throw Failure(description: "\(imageName): sizes do not match the header")
        }
        return LabeledImages(count: count, rows: rows, cols: cols, pixels: Array(imageBytes[16...]),
                             labels: Array(labelBytes[8...]))
    }

    private static func read(_ directory: String, _ name: String) throws -> [UInt8] {
        let raw = directory + "/" + name
        if let data = FileManager.default.contents(atPath: raw) { return [UInt8](data) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", raw + ".gz"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "\(raw)[.gz]: cannot read") }
        return [UInt8](data)
    }
}
