// The two TensorBoard protobuf messages this writer needs, encoded by hand.
//
// Field numbers, from tensorboard/compat/proto/event.proto and summary.proto (checked against
// TensorBoard's sources, which keep TensorFlow's numbering):
//
//     message Event   { double wall_time = 1; int64 step = 2;
//                       oneof what { string file_version = 3; Summary summary = 5; ... } }
//     message Summary { repeated Value value = 1;
//                       message Value { string tag = 1; oneof value { float simple_value = 2; ... } } }
//
// Why by hand: six fields of four wire types are a page of code, while swift-protobuf would add a
// package, a protoc build plugin and about ten minutes to every clean CI build.

/// Protobuf wire encoding (https://protobuf.dev/programming-guides/encoding/), as far as needed.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private mutating func key(_ field: Int, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// int64: a negative value is its 64-bit two's complement as a varint (10 bytes).
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func lengthDelimited(_ field: Int, _ content: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(content.count))
        bytes += content
    }

    mutating func string(_ field: Int, _ value: String) {
        lengthDelimited(field, Array(value.utf8))
    }
}

/// TensorBoard's `Event` message, in the two forms this writer produces.
enum EventProtobuf {
    /// The version TensorBoard expects in an event file's first record.
    static let fileVersion = "brain.Event:2"

    /// `Event { wall_time, file_version: "brain.Event:2" }`: the first record of every file.
    static func fileVersionEvent(wallTime: Double) -> [UInt8] {
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.string(3, fileVersion)
        return event.bytes
    }

    /// `Event { wall_time, step, summary { value { tag, simple_value } ... } }`.
    static func scalarsEvent(_ scalars: [(tag: String, value: Float)], step: Int64, wallTime: Double) -> [UInt8] {
        var summary = ProtobufWriter()
        for scalar in scalars {
            var value = ProtobufWriter()
            value.string(1, scalar.tag)
            value.float(2, scalar.value)
            summary.lengthDelimited(1, value.bytes)
        }
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.int64(2, step)
        event.lengthDelimited(5, summary.bytes)
        return event.bytes
    }
}
