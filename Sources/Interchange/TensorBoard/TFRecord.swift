// TFRecord, the container of TensorBoard event files: length-prefixed records, each part checksummed.

/// TFRecord framing: each record is
///
///     uint64 length, little-endian
///     uint32 masked CRC-32C of those 8 bytes
///     length bytes of data
///     uint32 masked CRC-32C of the data
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { record.append(contentsOf: $0) }
        let lengthCRC = CRC32C.masked(CRC32C.checksum(record))
        withUnsafeBytes(of: lengthCRC.littleEndian) { record.append(contentsOf: $0) }
        record += data
        withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(data)).littleEndian) { record.append(contentsOf: $0) }
        return record
    }
}
