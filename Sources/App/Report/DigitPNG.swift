import Engine
import MNISTData

/// A test image as a tiny PNG (8-bit greyscale, ink dark on white), for the report's digit grid.
///
/// The image data goes in zlib "stored" blocks (no compression): a 28x28 digit is under 1 KB, and
/// the report needs no deflate of its own. CRC-32 as PNG wants it; Adler-32 as zlib wants it.
enum DigitPNG {
    static func encode(_ images: LabeledImages, index: Int) -> [UInt8]? {
        guard index >= 0, index < images.count, images.rows > 0, images.cols > 0 else { return nil }
        let base = index * images.pixelsPerImage
        var raw: [UInt8] = []
        raw.reserveCapacity(images.rows * (images.cols + 1))
        for row in 0..<images.rows {
            raw.append(0)  // filter: none
            for column in 0..<images.cols { raw.append(255 - images.pixels[base + row * images.cols + column]) }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = bigEndian(UInt32(images.cols)) + bigEndian(UInt32(images.rows))
        header += [8, 0, 0, 0, 0]  // depth 8, greyscale, deflate, adaptive filters, no interlace
        chunk("IHDR", header, into: &png)
        chunk("IDAT", zlibStored(raw), into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let body = Array(type.utf8) + data
        png += bigEndian(UInt32(data.count)) + body + bigEndian(CRC32.checksum(body))
    }

    /// A zlib stream of stored blocks (at most 65535 bytes each).
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let count = min(65_535, data.count - start)
            let final: UInt8 = start + count == data.count ? 1 : 0
            out += [final, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8(~count >> 8 & 0xFF)]
            out += data[start..<(start + count)]
            start += count
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian(b << 16 | a)
    }
}
