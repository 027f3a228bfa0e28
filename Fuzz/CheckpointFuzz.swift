// libFuzzer harness for the checkpoint reader (issue 4). Each input is decoded twice: as it is, and
// "resealed" (its last 4 bytes replaced by the CRC-32 of the rest), so that mutations reach the
// content checks behind the checksum instead of all dying at it. The reader must either return a
// checkpoint or throw a CheckpointError whose description is one line starting with the file name;
// any trap, sanitizer report, leak or timeout is a bug. A checkpoint that decodes must satisfy the
// invariants a Trainer relies on, and re-encode to exactly the input's bytes (the format has one
// encoding per checkpoint).
//
// Build and run: scripts/fuzz-checkpoint.sh SECONDS (compiles this file with Sources/Engine and
// Sources/MNISTData).
import MNISTData

@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointFuzzOneInput(_ start: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: start, count: size))
    decodeChecked(bytes)
    if bytes.count >= 4 {
        var sealed = Array(bytes.dropLast(4))
        let crc = CRC32.checksum(sealed)
        withUnsafeBytes(of: crc.littleEndian) { sealed.append(contentsOf: $0) }
        decodeChecked(sealed)
    }
    return 0
}

private func decodeChecked(_ bytes: [UInt8]) {
    do {
        let checkpoint = try Checkpoint.decode(bytes, path: "fuzz-input")
        let s = checkpoint.snapshot
        precondition(s.layerSizes.count >= 3 && s.layerSizes.allSatisfy { $0 > 0 })
        precondition(s.optimizerState.buffers.allSatisfy { $0.count == s.parameters.count })
        precondition(s.history.batchLosses.count == s.position.step)
        precondition(s.history.epochs.count == s.position.epoch - 1)
        precondition(s.position.batchesDone >= 0 && s.position.epoch >= 1)
        // One encoding per checkpoint in the current version (older versions are re-encoded as it).
        if checkpoint.version == Checkpoint.formatVersion {
            precondition(checkpoint.encoded() == bytes, "decode then encode changed the bytes")
        } else {
            // Compared as bytes, not with ==: a fuzzed file may hold NaN weights, which are never
            // == themselves though they survive bit for bit. Encoding covers every field.
            let reencoded = checkpoint.encoded()
            precondition(try! Checkpoint.decode(reencoded, path: "re-encoded").encoded() == reencoded,  // try!: a crash is the finding
                         "an older version re-encoded as the current one changed the checkpoint")
        }
    } catch {
        let message = error.description
        precondition(message.hasPrefix("fuzz-input: ") && !message.contains("\n"), "bad message: \(message)")
    }
}
