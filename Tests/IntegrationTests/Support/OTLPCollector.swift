import Foundation
import Hummingbird
import Synchronization

/// A stand-in for an OpenTelemetry collector: takes OTLP/HTTP trace exports (protobuf) on
/// `/v1/traces` and keeps the spans, read with a small protobuf reader of the fields the tests
/// look at (so the tests see the bytes a real collector would get).
final class OTLPCollector: Sendable {
    struct CollectedSpan: Sendable {
        let service: String
        let traceId: String
        let spanId: String
        let parentSpanId: String
        let name: String
        let attributes: [String: String]
        let links: [(traceId: String, spanId: String)]
    }

    let port: Int
    private let store = Store()
    private let task: Task<Void, any Error>

    init() {
        let port = freePort(), store = self.store
        self.port = port
        let router = Router()
        router.post("/v1/traces") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 * 1024 * 1024)
            store.take(Array(buffer.readableBytesView))
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        task = Task { try await app.runService() }
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }
    var collected: [CollectedSpan] { store.spans.withLock { $0 } }
    var exports: Int { store.requests.withLock { $0 } }

    func stop() { task.cancel() }

    /// The first span named `name` in the trace, once exported (nil after `timeout` seconds).
    func span(in traceId: String, named name: String, timeout: Double = 20) async -> CollectedSpan? {
        var found: CollectedSpan?
        _ = await eventually(timeout: timeout) {
            found = self.collected.first { $0.traceId == traceId && $0.name == name }
            return found != nil
        }
        return found
    }
}

private final class Store: Sendable {
    let spans = Mutex<[OTLPCollector.CollectedSpan]>([])
    let requests = Mutex(0)

    func take(_ body: [UInt8]) {
        requests.withLock { $0 += 1 }
        var found: [OTLPCollector.CollectedSpan] = []
        for resourceSpans in Proto.fields(body) where resourceSpans.number == 1 {
            let parts = Proto.fields(resourceSpans.bytes)
            let resource = parts.first { $0.number == 1 }.map { Proto.attributes(Proto.fields($0.bytes), field: 1) } ?? [:]
            for scopeSpans in parts where scopeSpans.number == 2 {
                for span in Proto.fields(scopeSpans.bytes) where span.number == 2 {
                    let f = Proto.fields(span.bytes)
                    func hex(_ n: Int) -> String { f.first { $0.number == n }.map { Proto.hex($0.bytes) } ?? "" }
                    let links = f.filter { $0.number == 13 }.map { link in
                        let l = Proto.fields(link.bytes)
                        return (traceId: l.first { $0.number == 1 }.map { Proto.hex($0.bytes) } ?? "",
                                spanId: l.first { $0.number == 2 }.map { Proto.hex($0.bytes) } ?? "")
                    }
                    found.append(OTLPCollector.CollectedSpan(
                        service: resource["service.name"] ?? "", traceId: hex(1), spanId: hex(2), parentSpanId: hex(4),
                        name: f.first { $0.number == 5 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? "",
                        attributes: Proto.attributes(f, field: 9), links: links))
                }
            }
        }
        spans.withLock { $0 += found }
    }
}

/// Protobuf's wire format, as far as OTLP's spans need it.
enum Proto {
    struct Field { let number: Int; let wire: Int; let bytes: [UInt8]; let varint: UInt64 }

    static func fields(_ data: [UInt8]) -> [Field] {
        var out: [Field] = []
        var i = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while i < data.count {
                let b = data[i]; i += 1
                value |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return value }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }
        while i < data.count {
            guard let key = varint() else { break }
            let number = Int(key >> 3), wire = Int(key & 7)
            switch wire {
            case 0: guard let v = varint() else { return out }; out.append(Field(number: number, wire: 0, bytes: [], varint: v))
            case 1: guard i + 8 <= data.count else { return out }; out.append(Field(number: number, wire: 1, bytes: Array(data[i..<i + 8]), varint: 0)); i += 8
            case 2:
                guard let n = varint(), i + Int(n) <= data.count else { return out }
                out.append(Field(number: number, wire: 2, bytes: Array(data[i..<i + Int(n)]), varint: 0)); i += Int(n)
            case 5: guard i + 4 <= data.count else { return out }; out.append(Field(number: number, wire: 5, bytes: Array(data[i..<i + 4]), varint: 0)); i += 4
            default: return out
            }
        }
        return out
    }

    /// `KeyValue` fields (key 1, value 2: an `AnyValue`, a string in field 1, a bool in 2, an
    /// integer in 3, a double in 4) as strings.
    static func attributes(_ fields: [Field], field: Int) -> [String: String] {
        var out: [String: String] = [:]
        for kv in fields where kv.number == field {
            let parts = Proto.fields(kv.bytes)
            guard let key = parts.first(where: { $0.number == 1 }) else { continue }
            let value = parts.first { $0.number == 2 }.flatMap { Proto.fields($0.bytes).first }
            let text: String = switch value?.number {
            case 1?: String(decoding: value!.bytes, as: UTF8.self)
            case 2?: value!.varint != 0 ? "true" : "false"
            case 3?: String(Int64(bitPattern: value!.varint))
            case 4? where value!.bytes.count == 8:  // a double, little-endian
                String(Double(bitPattern: value!.bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
            default: ""
            }
            out[String(decoding: key.bytes, as: UTF8.self)] = text
        }
        return out
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
