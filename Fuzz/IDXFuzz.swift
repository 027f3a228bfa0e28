// libFuzzer harness for the IDX reader (issue 4): every input is decoded as an images file and as
// a labels file, raw or gzip (the reader tells them apart by content). The reader must either
// return data that matches its header or throw a DataError with a one-line message; any trap,
// sanitizer report, leak or timeout is a bug. A pair of images and labels made from one input also
// runs the cross-file checks that `Dataset.load` applies. Raw input that decodes is also compressed
// with zlib and decoded again: both paths must agree (a differential check of the gzip path); gzip
// input is also decoded through a 3-byte input window, which must not change the verdict.
//
// Build and run: scripts/fuzz-idx.sh SECONDS (compiles this file with Sources/MNISTData and the
// tests' Tests/MNISTDataTests/Support/GzipCompress.swift).

@_cdecl("LLVMFuzzerTestOneInput")
public func idxFuzzOneInput(_ start: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: start, count: size))
    let images = decodeChecked(bytes, kind: .images)
    let labels = decodeChecked(bytes, kind: .labels)
    let isGzip = bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    if !isGzip, let decoded = images ?? labels {
        let kind = decoded.shape.kind
        guard let compressed = gzipCompressed(bytes) else { preconditionFailure("zlib could not compress") }
        precondition(decodeChecked(compressed, kind: kind) == decoded, "gzip and raw disagree")
    }
    if isGzip {
        let whole = Result { () throws(DataError) in try IDXReader.decode(bytes, kind: .images, path: "fuzz-input") }
        let windowed = Result { () throws(DataError) -> IDXFile in
            var source = try GzipSource(path: "fuzz-input", compressed: bytes, windowSize: 3)
            return try IDXReader.decode(from: &source, kind: .images)
        }
        precondition(whole == windowed, "the input window changed the verdict")
    }
    if let images, let labels {
        _ = try? LabeledImages(images: images, imagesPath: "fuzz-images", labels: labels,
                               labelsPath: "fuzz-labels", classCount: 10)
    }
    return 0
}

/// Decodes `bytes` as `kind`, checking the invariants a successful decode promises.
private func decodeChecked(_ bytes: [UInt8], kind: IDXKind) -> IDXFile? {
    do {
        let file = try IDXReader.decode(bytes, kind: kind, path: "fuzz-input")
        let shape = file.shape
        precondition(shape.kind == kind)
        precondition(shape.count > 0 && shape.rows > 0 && shape.cols > 0)
        precondition(kind == .images || (shape.rows == 1 && shape.cols == 1))
        precondition(file.data.count == shape.count * shape.rows * shape.cols, "data does not match header")
        return file
    } catch {
        let message = error.description
        precondition(message.hasPrefix("fuzz-input: ") && !message.contains("\n"), "bad message: \(message)")
        return nil
    }
}
