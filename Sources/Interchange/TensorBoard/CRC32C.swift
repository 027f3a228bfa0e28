// CRC-32C (Castagnoli), the checksum of TFRecord framing. zlib only has the IEEE polynomial, so a
// table-driven version here: one table lookup per byte, plenty for a few KB of events per epoch.

enum CRC32C {
    /// The reflected Castagnoli polynomial 0x1EDC6F41.
    private static let polynomial: UInt32 = 0x82F6_3B78

    private static let table: [UInt32] = (0..<256).map { (n: UInt32) in
        var crc = n
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// TFRecord stores checksums "masked", so that a CRC of data that itself holds CRCs is not
    /// degenerate: rotate right by 15 bits and add a constant.
    static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
