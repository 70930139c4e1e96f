import CRabbitMQ
import Foundation

/// Owns C copies of strings, bodies and header tables for the duration of one
/// rabbitmq-c call (amqp_cstring_bytes on a Swift string would dangle).
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    func bytes(_ string: String) -> amqp_bytes_t { bytes(Array(string.utf8)) }

    func bytes(_ data: some Collection<UInt8>) -> amqp_bytes_t {
        let count = data.count
        let pointer = malloc(max(count, 1))!
        allocations.append(pointer)
        let buffer = UnsafeMutableRawBufferPointer(start: pointer, count: count)
        buffer.copyBytes(from: data)
        return amqp_bytes_t(len: count, bytes: pointer)
    }

    func table(_ entries: [(String, HeaderValue)]) -> amqp_table_t {
        guard !entries.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let raw = malloc(MemoryLayout<amqp_table_entry_t>.stride * entries.count)!
        allocations.append(raw)
        let pointer = raw.bindMemory(to: amqp_table_entry_t.self, capacity: entries.count)
        for (index, (key, value)) in entries.enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let s):
                field.kind = UInt8(ascii: "S"); field.value.bytes = bytes(s)
            case .int(let i):
                field.kind = UInt8(ascii: "l"); field.value.i64 = i
            case .bool(let b):
                field.kind = UInt8(ascii: "t"); field.value.boolean = b ? 1 : 0
            }
            (pointer + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: pointer)
    }
}

extension amqp_bytes_t {
    var string: String {
        guard let bytes, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
    var data: Data {
        guard let bytes, len > 0 else { return Data() }
        return Data(bytes: bytes, count: len)
    }
}

extension amqp_table_t {
    var headers: [String: HeaderValue] {
        var result: [String: HeaderValue] = [:]
        guard let entries, num_entries > 0 else { return result }
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            let value = entry.value
            switch value.kind {
            case UInt8(ascii: "S"), UInt8(ascii: "x"): result[entry.key.string] = .string(value.value.bytes.string)
            case UInt8(ascii: "l"): result[entry.key.string] = .int(value.value.i64)
            case UInt8(ascii: "L"), UInt8(ascii: "T"): result[entry.key.string] = .int(Int64(truncatingIfNeeded: value.value.u64))
            case UInt8(ascii: "I"): result[entry.key.string] = .int(Int64(value.value.i32))
            case UInt8(ascii: "i"): result[entry.key.string] = .int(Int64(value.value.u32))
            case UInt8(ascii: "s"): result[entry.key.string] = .int(Int64(value.value.i16))
            case UInt8(ascii: "u"): result[entry.key.string] = .int(Int64(value.value.u16))
            case UInt8(ascii: "b"): result[entry.key.string] = .int(Int64(value.value.i8))
            case UInt8(ascii: "B"): result[entry.key.string] = .int(Int64(value.value.u8))
            case UInt8(ascii: "t"): result[entry.key.string] = .bool(value.value.boolean != 0)
            default: continue // tables and arrays (e.g. x-death) are not needed by the kit
            }
        }
        return result
    }
}
