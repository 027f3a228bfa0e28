import CZlib

// MARK: - Dataset identity

/// A checksum identifying data, so a checkpoint can tell whether it is resumed on the same dataset.
///
/// CRC-32 (zlib's, a few GB/s) over the split's shape (count, rows, cols as 64-bit little-endian
/// integers), then its labels, then its pixels. It detects any change of data, order or shape; it is
/// an identity, not a defence against deliberate collisions.
enum Fingerprint {
    static func crc32(count: Int, rows: Int, cols: Int, labels: [UInt8], pixels: [UInt8]) -> UInt32 {
        var crc: UInt = CZlib.crc32_z(0, nil, 0)
        let shape = [UInt64(count), UInt64(rows), UInt64(cols)].map(\.littleEndian)
        shape.withUnsafeBytes { crc = update(crc, $0) }
        labels.withUnsafeBytes { crc = update(crc, $0) }
        pixels.withUnsafeBytes { crc = update(crc, $0) }
        return UInt32(truncatingIfNeeded: crc)
    }

    private static func update(_ crc: UInt, _ bytes: UnsafeRawBufferPointer) -> UInt {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return crc }
        return CZlib.crc32_z(crc, base.assumingMemoryBound(to: Bytef.self), bytes.count)
    }
}

extension Dataset {
    /// The identity of this dataset's data: the training split's CRC-32 in the high 32 bits, the
    /// test split's in the low 32. Equal fingerprints mean (barring a 2^-64 accident) the same images,
    /// labels, order and sizes; class names are not part of it.
    public var fingerprint: UInt64 {
        UInt64(train.fingerprint) << 32 | UInt64(test.fingerprint)
    }

    /// `fingerprint` as 16 lowercase hex digits (for files and messages).
    public var fingerprintHex: String { Self.hexFingerprint(fingerprint) }

    /// Any dataset fingerprint (a checkpoint's too) as 16 lowercase hex digits.
    public static func hexFingerprint(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
