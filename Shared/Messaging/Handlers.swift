import Contracts
import Foundation
import Logging
import Storage

/// Thrown by a handler when a message can never succeed (it breaks a rule that a retry
/// will not change): the message goes to the dead-letter queue with this code and message.
public struct Rejection: Error, CustomStringConvertible, Sendable {
    public let code: String
    public let message: String
    public init(_ code: String, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code): \(message)" }
}

/// Thrown by a handler when its message came before one it depends on (events of different
/// services arrive in any order): its work is rolled back, the rest of the batch goes on, and
/// the message comes back through the retry queues, by which time the other has usually been
/// handled. Past MAX_RETRIES it is dead-lettered as `retries-exhausted`.
public struct RetryLater: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A decoded message and its envelope, as a handler sees it.
public struct InboundMessage: Sendable {
    public let envelope: Envelope
    public let exchange: String
    public let routingKey: String
    public let headers: [String: HeaderValue]
    public let payload: any MessageContract
}

/// What a handler works with: the open transaction, the message, a logger that carries
/// the correlation id, and the outbox its events go through.
public final class HandlerContext {
    public let transaction: Transaction
    public let message: InboundMessage
    public let logger: Logger
    public let outbox: OutboxWriter

    init(transaction: Transaction, message: InboundMessage, logger: Logger, outbox: OutboxWriter) {
        self.transaction = transaction; self.message = message; self.logger = logger; self.outbox = outbox
    }

    /// An event caused by this message: same correlation id, causation id = this message's id.
    @discardableResult
    public func publish<T: MessageContract>(_ event: T, routingKey: String) throws -> UUID {
        try outbox.publish(event, routingKey: routingKey, correlationId: message.envelope.correlationId,
                           causationId: message.envelope.messageId.uuidString.lowercased())
    }

    /// An event whose contract names its routing key.
    @discardableResult
    public func publish<T: RoutedContract>(_ event: T) throws -> UUID { try publish(event, routingKey: T.routingKey) }

    /// The same transaction and outbox as a `UnitOfWork`, for domain code shared with the HTTP API.
    public var work: UnitOfWork {
        UnitOfWork(transaction: transaction, outbox: outbox, correlationId: message.envelope.correlationId,
                   causationId: message.envelope.messageId.uuidString.lowercased(), logger: logger)
    }

    /// Answers a command that changed nothing (it repeated what was already done).
    public func replyUnchanged(_ reasonCode: String, _ message: String) throws {
        try reply(CommandOutcome(outcome: "unchanged", reasonCode: reasonCode, message: message, command: self.message.routingKey,
                                 messageId: self.message.envelope.messageId.uuidString.lowercased()))
    }

    /// Answers the sender when it asked for a reply (`reply_to`); does nothing otherwise.
    public func reply<T: MessageContract>(_ answer: T) throws {
        try reply(answer, to: message.envelope.replyTo, causationId: message.envelope.messageId.uuidString.lowercased())
    }

    /// Answers a `reply_to` kept from an earlier command (an answer that had to wait), through the
    /// outbox, under that command's correlation id when it was kept too.
    public func reply<T: MessageContract>(_ answer: T, to replyTo: String?, causationId: String? = nil,
                                          correlationId: String? = nil) throws {
        guard let replyTo, !replyTo.isEmpty else { return }
        outbox.enqueue(try .answer(answer, to: replyTo, from: outbox.source,
                                   correlationId: correlationId ?? message.envelope.correlationId, causationId: causationId))
    }
}

/// One transaction and the events it causes, whether a message or an HTTP request started it.
public struct UnitOfWork {
    public let transaction: Transaction
    public let outbox: OutboxWriter
    /// The order or case the work belongs to: events carry it on.
    public let correlationId: String?
    public let causationId: String?
    public let logger: Logger

    public init(transaction: Transaction, outbox: OutboxWriter, correlationId: String?, causationId: String?, logger: Logger) {
        self.transaction = transaction; self.outbox = outbox; self.correlationId = correlationId
        self.causationId = causationId; self.logger = logger
    }

    @discardableResult
    public func publish<T: RoutedContract>(_ event: T) throws -> UUID {
        try outbox.publish(event, routingKey: T.routingKey, correlationId: correlationId, causationId: causationId)
    }

    /// The same work for another correlation id (an HTTP command that touches a stored order).
    public func correlated(_ id: String?) -> UnitOfWork {
        UnitOfWork(transaction: transaction, outbox: outbox, correlationId: id ?? correlationId, causationId: causationId, logger: logger)
    }
}

public typealias MessageHandlerFunction = @Sendable (any MessageContract, HandlerContext) throws -> Void

/// Which message types a service handles, and how. A handler runs inside the batch's
/// transaction on a database thread: it must not block on anything but that transaction.
public struct HandlerRegistry: Sendable {
    public private(set) var contracts = ContractRegistry()
    private var handlers: [String: MessageHandlerFunction] = [:]

    public init() {}

    public mutating func on<T: MessageContract>(_ type: T.Type, _ handler: @escaping @Sendable (T, HandlerContext) throws -> Void) {
        contracts.register(T.self)
        handlers[T.messageType] = { payload, context in try handler(payload as! T, context) }
    }

    /// The bindings its routed contracts need: commands from `bizops.ingress`, events from `bizops.events`.
    public private(set) var bindings: [Topology.Binding] = []

    public mutating func on<T: RoutedContract>(_ type: T.Type, _ handler: @escaping @Sendable (T, HandlerContext) throws -> Void) {
        contracts.register(T.self)
        handlers[T.messageType] = { payload, context in try handler(payload as! T, context) }
        bindings.append(T.self is any CommandContract.Type ? .command(T.routingKey) : .event(T.routingKey))
    }

    func handler(for type: String) -> MessageHandlerFunction? { handlers[type] }

    /// The message type of a delivery: its `type` property, or, for commands from
    /// outside systems that leave it out, the routing key as version 1.
    static func messageType(of delivery: Delivery) -> String {
        if let type = delivery.properties.type, !type.isEmpty { return type }
        return "\(delivery.routingKey).v1"
    }

    /// Checks the envelope and decodes the body; a `ContractError` says why it never will.
    func decode(_ delivery: Delivery) throws -> InboundMessage {
        let type = Self.messageType(of: delivery)
        guard let rawId = delivery.properties.messageId, let id = UUID(uuidString: rawId) else {
            throw ContractError(.invalidEnvelope, "message_id is missing or not a UUID: it is the idempotency key")
        }
        guard handlers[type] != nil else {
            throw ContractError(.unknownType, "this service has no handler for message type \"\(type)\"")
        }
        if let contentType = delivery.properties.contentType, !contentType.hasPrefix("application/json") {
            throw ContractError(.invalidEnvelope, "content_type must be application/json, not \(contentType)")
        }
        let payload = try contracts.decode(type: type, body: delivery.body)
        var causation: String?
        if case .string(let value)? = delivery.properties.headers["causation_id"] { causation = value }
        // After a retry the broker routed it by queue name; the original names travel in headers.
        let headers = delivery.properties.headers
        let exchange = headers["x-original-exchange"].map(\.description) ?? delivery.exchange
        let routingKey = headers["x-original-routing-key"].map(\.description) ?? delivery.routingKey
        let envelope = Envelope(messageId: id, type: type, source: delivery.properties.appId ?? "unknown",
                                time: delivery.properties.timestamp ?? Date(), correlationId: delivery.properties.correlationId,
                                causationId: causation, replyTo: delivery.properties.replyTo)
        return InboundMessage(envelope: envelope, exchange: exchange, routingKey: routingKey,
                              headers: headers, payload: payload)
    }
}
