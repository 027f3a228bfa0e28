// CRC-32 (the IEEE polynomial, as in gzip and PNG) through zlib's crc32_z: a few GB/s, so
// checksumming a 2 MB checkpoint costs about a millisecond even in a debug build.
import CZlib

package enum CRC32 {
    /// The CRC-32 of `bytes[range]` (the whole array by default).
    package static func checksum(_ bytes: [UInt8], range: Range<Int>? = nil) -> UInt32 {
        let range = range ?? 0..<bytes.count
        return bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32_z(0, nil, 0)
            if let base = buffer.baseAddress, !range.isEmpty {
                crc = CZlib.crc32_z(crc, base + range.lowerBound, range.count)
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
