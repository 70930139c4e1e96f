import Foundation

/// W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`), carried in AMQP
/// headers and HTTP: the chain of messages one command causes shares its trace id, each hop a
/// span of its own, so a tracing backend (or a person reading headers) can follow it.
public struct TraceContext: Sendable, Equatable, Codable {
    public static let header = "traceparent"

    public let traceId: String
    public let spanId: String
    public let sampled: Bool

    /// Parses a `traceparent` value; nil for anything that is not a valid version-00 one.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-").map(String.init)
        guard parts.count == 4, parts[0] == "00", Self.isHex(parts[1], 32), Self.isHex(parts[2], 16), Self.isHex(parts[3], 2),
              parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16) else { return nil }
        traceId = parts[1]; spanId = parts[2]; sampled = (Int(parts[3], radix: 16) ?? 0) & 1 == 1
    }

    init(traceId: String, spanId: String, sampled: Bool) { self.traceId = traceId; self.spanId = spanId; self.sampled = sampled }

    /// A new trace (nothing upstream sent one).
    public static func fresh() -> TraceContext { TraceContext(traceId: random(16), spanId: random(8), sampled: true) }

    /// The next hop in the same trace: a new span whose parent is this one.
    public func child() -> TraceContext { TraceContext(traceId: traceId, spanId: Self.random(8), sampled: sampled) }

    public var traceparent: String { "00-\(traceId)-\(spanId)-\(sampled ? "01" : "00")" }

    static func isHex(_ s: String, _ count: Int) -> Bool { s.count == count && s.allSatisfy(\.isHexDigit) }
    static func random(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}
