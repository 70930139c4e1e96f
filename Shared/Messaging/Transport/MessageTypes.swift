import Contracts
import Foundation

/// An AMQP header value of the kinds the kit reads and writes.
public enum HeaderValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return String(b)
        }
    }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .string(let s): return Int64(s)
        case .bool: return nil
        }
    }
}

/// The AMQP basic properties the system uses (see ARCHITECTURE.md, envelope).
public struct MessageProperties: Sendable, Equatable {
    public var messageId: String?
    public var type: String?
    public var appId: String?
    /// The broker checks it against the connection's user, so a delivered one is trustworthy.
    public var userId: String?
    public var timestamp: Date?
    public var correlationId: String?
    public var replyTo: String?
    public var contentType: String?
    public var persistent: Bool
    public var headers: [String: HeaderValue]

    public init(messageId: String? = nil, type: String? = nil, appId: String? = nil, userId: String? = nil, timestamp: Date? = nil,
                correlationId: String? = nil, replyTo: String? = nil, contentType: String? = "application/json",
                persistent: Bool = true, headers: [String: HeaderValue] = [:]) {
        self.messageId = messageId; self.type = type; self.appId = appId; self.userId = userId; self.timestamp = timestamp
        self.correlationId = correlationId; self.replyTo = replyTo; self.contentType = contentType
        self.persistent = persistent; self.headers = headers
    }
}

/// A message received from a queue, not yet acknowledged.
public struct Delivery: Sendable {
    public let deliveryTag: UInt64
    /// Which connection delivered it: tags of an older connection are void.
    public let generation: Int
    public let exchange: String
    public let routingKey: String
    public let redelivered: Bool
    public let properties: MessageProperties
    public let body: Data
}

/// Enough of a delivery to settle it later (its tag and connection), without its body.
public struct DeliveryHandle: Sendable, Hashable {
    public let deliveryTag: UInt64
    public let generation: Int
}

extension Delivery {
    public var handle: DeliveryHandle { DeliveryHandle(deliveryTag: deliveryTag, generation: generation) }
    /// Whether it came back from the service's own retry queue (the broker moves expired
    /// retries through the default exchange), not from a sender on the bus.
    public var isFromRetryQueue: Bool { exchange.isEmpty }

    /// The properties to publish this delivery again as the service's own (a retry, a dead
    /// letter): original names and properties kept, the time of the first attempt stamped, and
    /// the sender's broker-checked `user_id` (only the sender's own connection may carry it)
    /// moved into `x-original-user-id`. Headers a sender wrote under those names are replaced.
    public func forwardedProperties(type: String, now: Date = Date()) -> MessageProperties {
        var properties = self.properties
        properties.type = type
        properties.persistent = true
        if !isFromRetryQueue {
            properties.headers["x-original-exchange"] = .string(exchange)
            properties.headers["x-original-routing-key"] = .string(routingKey)
            properties.headers["x-original-user-id"] = properties.userId.map(HeaderValue.string)
            properties.headers["x-first-attempt-at"] = .int(Int64(now.timeIntervalSince1970 * 1000))
        } else if properties.headers["x-first-attempt-at"] == nil {
            properties.headers["x-first-attempt-at"] = .int(Int64(now.timeIntervalSince1970 * 1000))
        }
        properties.userId = nil
        return properties
    }
}

/// A message to publish, persistent and `mandatory`.
public struct OutgoingMessage: Sendable, Equatable {
    public var exchange: String
    public var routingKey: String
    public var properties: MessageProperties
    public var body: Data

    public init(exchange: String, routingKey: String, properties: MessageProperties, body: Data) {
        self.exchange = exchange; self.routingKey = routingKey; self.properties = properties; self.body = body
    }
}

/// What the broker said about one published message.
public enum PublishOutcome: Sendable, Equatable {
    /// Stored by the broker (persisted to its queues).
    case confirmed
    /// Could not be routed to any queue; the broker handed it back with this reason.
    case returned(String)
    /// The broker refused responsibility for it; publish again later.
    case nacked
}

extension OutgoingMessage {
    /// An answer to a command's `reply_to`, through `bizops.replies` (key = the reply queue), with the command's
    /// correlation id and (when known) its message id as `causation_id`.
    public static func answer<T: MessageContract>(_ body: T, to replyTo: String, from source: String, correlationId: String?,
                                                  causationId: String?) throws -> OutgoingMessage {
        OutgoingMessage(exchange: Topology.replies, routingKey: replyTo, properties: MessageProperties(
            messageId: UUID().uuidString.lowercased(), type: T.messageType, appId: source, timestamp: Date(),
            correlationId: correlationId, headers: causationId.map { ["causation_id": .string($0)] } ?? [:]),
            body: try JSONEncoder.contracts.encode(body))
    }

    /// The `rejected` outcome for a poison delivery whose sender asked for an answer; nil when
    /// it gave no `reply_to`, or one that is not a queue of its sender. The reason is the dead letter's.
    public static func rejection(of delivery: Delivery, code: ReasonCode, message: String, from source: String) -> OutgoingMessage? {
        guard let replyTo = delivery.properties.replyTo, !replyTo.isEmpty else { return nil }
        let sender = delivery.properties.userId ?? (delivery.isFromRetryQueue ? delivery.properties.headers["x-original-user-id"]?.description : nil)
        guard Topology.replyTo(replyTo, belongsTo: sender) else { return nil }
        return try? .answer(CommandOutcome(outcome: .rejected, reasonCode: code, message: message, command: delivery.routingKey,
                                           messageId: delivery.properties.messageId),
                            to: replyTo, from: source, correlationId: delivery.properties.correlationId,
                            causationId: delivery.properties.messageId)
    }
}
