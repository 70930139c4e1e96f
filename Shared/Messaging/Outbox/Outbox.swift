import Contracts
import Foundation
import Storage

/// Collects the events a transaction causes and writes them to the service's `outbox`
/// table in one statement just before COMMIT, so state and events commit together.
public final class OutboxWriter {
    public let source: String
    private var pending: [OutgoingMessage] = []

    public init(source: String, transaction: Transaction) {
        self.source = source
        // The hook owns the writer (callers often drop theirs before COMMIT); the transaction owns the hook.
        transaction.onBeforeCommit { [self, unowned transaction] in try self.flush(transaction) }
    }

    /// Queues an event for `bizops.events` under its routing key.
    @discardableResult
    public func publish<T: MessageContract>(_ event: T, routingKey: String, exchange: String = Topology.events,
                                            correlationId: String?, causationId: String? = nil,
                                            messageId: UUID = UUID(), time: Date = Date(), actor: String? = nil,
                                            trace: TraceContext? = nil, headers extra: [String: HeaderValue] = [:]) throws -> UUID {
        let body = try JSONEncoder.contracts.encode(event)
        var headers = extra
        if let causationId { headers["causation_id"] = .string(causationId) }
        if let actor { headers[Topology.actorHeader] = .string(actor) }
        if let trace { headers[TraceContext.header] = .string(trace.traceparent) }
        pending.append(OutgoingMessage(
            exchange: exchange, routingKey: routingKey,
            properties: MessageProperties(messageId: messageId.uuidString.lowercased(), type: T.messageType, appId: source,
                                          timestamp: time, correlationId: correlationId, headers: headers),
            body: body))
        return messageId
    }

    /// Queues a raw message (e.g. an answer to a command's `reply_to` through `bizops.replies`).
    public func enqueue(_ message: OutgoingMessage) { pending.append(message) }

    public var count: Int { pending.count }

    /// Writes what is queued, in one statement (`OutboxStore.insert`).
    func flush(_ tx: Transaction) throws {
        guard !pending.isEmpty else { return }
        let rows = pending
        pending.removeAll()
        try OutboxStore(tx: tx).insert(rows)
    }
}

/// Headers stored as a JSON object in the outbox: strings, integers and booleans.
enum HeaderCodec {
    static func encode(_ headers: [String: HeaderValue]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(headers)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ text: String) -> [String: HeaderValue] {
        (try? JSONDecoder().decode([String: HeaderValue].self, from: Data(text.utf8))) ?? [:]
    }
}

extension HeaderValue: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int64.self) { self = .int(i) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .int(let i): try container.encode(i)
        case .bool(let b): try container.encode(b)
        }
    }
}
