// libFuzzer harness for the safetensors reader (issue 11). Each input is decoded twice: as it is,
// and "fitted" (its 8-byte header length replaced by that length modulo what the file can hold),
// so that mutations reach the JSON and the checks behind it instead of all dying at the length.
// The reader must either return weights or throw a SafetensorsError whose description is one line
// starting with the file name; any trap, sanitizer report, leak or timeout is a bug. Weights that
// decode must satisfy what `evaluate` relies on (consistent sizes, finite values), and survive a
// write-then-read round trip unchanged.
//
// Build and run: scripts/fuzz-safetensors.sh SECONDS (compiles this file with Sources/Interchange
// and Sources/MNISTData).

@_cdecl("LLVMFuzzerTestOneInput")
public func safetensorsFuzzOneInput(_ start: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: start, count: size))
    decodeChecked(bytes)
    if bytes.count >= 8 {
        var fitted = bytes
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        length %= UInt64(bytes.count - 7)  // now <= count - 8: the header ends inside the file
        for i in 0..<8 { fitted[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i))) }
        if fitted != bytes { decodeChecked(fitted) }
    }
    return 0
}

private func decodeChecked(_ bytes: [UInt8]) {
    do {
        let contents = try SafetensorsFile.decode(bytes, path: "fuzz-input")
        let w = contents.weights
        precondition(w.layerSizes.count >= 2 && w.layerSizes.allSatisfy { $0 > 0 })
        precondition(w.weights.count == w.layerCount && w.biases.count == w.layerCount)
        for l in 0..<w.layerCount {
            precondition(w.weights[l].count == w.layerSizes[l] * w.layerSizes[l + 1])
            precondition(w.biases[l].count == w.layerSizes[l + 1])
            precondition(w.weights[l].allSatisfy(\.isFinite) && w.biases[l].allSatisfy(\.isFinite))
        }
        let again = try SafetensorsFile.decode(SafetensorsFile.encode(w, metadata: contents.metadata), path: "re-encoded")
        precondition(again.weights == w, "write then read changed the weights")
    } catch {
        let message = error.description
        precondition(message.hasPrefix("fuzz-input: ") && !message.contains("\n"), "bad message: \(message)")
    }
}
