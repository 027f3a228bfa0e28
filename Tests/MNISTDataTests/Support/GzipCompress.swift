// zlib compression, to build .gz inputs. Shared by the MNISTData tests' fixtures and the IDX fuzz
// harness (scripts/fuzz-idx.sh compiles this file into it with swiftc alone), so it imports nothing
// but CZlib; the product itself only ever decompresses.
import CZlib

/// `bytes` as a single-member gzip stream compressed by zlib at `level`, or nil if zlib fails.
func gzipCompressed(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8]? {
    var stream = z_stream()
    guard mnist_deflate_init_gzip(&stream, level) == Z_OK else { return nil }
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
    let status = input.withUnsafeMutableBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = UInt32(outputBuffer.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { return nil }
    return Array(output[..<Int(stream.total_out)])
}
