import Contracts
import Foundation
import Logging
import Storage

/// A decoded message and its envelope, as a handler sees it.
public struct InboundMessage: Sendable {
    public let envelope: Envelope
    public let exchange: String
    public let routingKey: String
    public let headers: [String: HeaderValue]
    /// Back from the service's own retry queue: its `x-…` retry headers are the kit's own.
    public let fromRetryQueue: Bool
    /// The sender's broker-checked user (`user_id`), when it set one.
    public let userId: String?
    public let payload: any MessageContract

    /// Who is responsible for it: a command's sender (its `user_id`); for an event, the actor
    /// the publishing service put in `x-actor` (only services may publish on `bizops.events`,
    /// so it is theirs; on a command the header is the sender's own words and counts for nothing).
    public var actor: String? {
        if exchange == Topology.events, let actor = headers[Topology.actorHeader]?.description, !actor.isEmpty { return actor }
        return userId
    }
}

public typealias MessageHandlerFunction = @Sendable (any MessageContract, UnitOfWork) throws -> Void

/// Which message types a service handles, and how. A handler runs inside the batch's
/// transaction on a database thread: it must not block on anything but that transaction.
public struct HandlerRegistry: Sendable {
    public private(set) var contracts = ContractRegistry()
    private var handlers: [String: MessageHandlerFunction] = [:]

    public init() {}

    /// A contract whose routing key is known only at run time (a test probe's own name).
    public mutating func on<T: MessageContract>(_ type: T.Type, boundTo binding: Topology.Binding,
                                                _ handler: @escaping @Sendable (T, UnitOfWork) throws -> Void) {
        contracts.register(T.self)
        handlers[T.messageType] = { payload, work in try handler(payload as! T, work) }
        bindings.append(binding)
        routes[T.messageType] = binding
    }

    /// The bindings its routed contracts need: commands from `bizops.ingress`, events from `bizops.events`.
    public private(set) var bindings: [Topology.Binding] = []

    public mutating func on<T: RoutedContract>(_ type: T.Type, _ handler: @escaping @Sendable (T, UnitOfWork) throws -> Void) {
        contracts.register(T.self)
        handlers[T.messageType] = { payload, work in try handler(payload as! T, work) }
        let binding: Topology.Binding = T.self is any CommandContract.Type ? .command(T.routingKey) : .event(T.routingKey)
        bindings.append(binding)
        routes[T.messageType] = binding
    }

    /// Where each handled type travels: a message of that type from anywhere else is refused, so
    /// a sender allowed one routing key cannot get another type handled by naming it in `type`.
    private var routes: [String: Topology.Binding] = [:]

    func handler(for type: String) -> MessageHandlerFunction? { handlers[type] }
    /// Every message type this registry handles.
    public var messageTypes: Set<String> { Set(handlers.keys) }

    /// The message type of a delivery: its `type` property, or, for commands from
    /// outside systems that leave it out, the routing key as version 1.
    static func messageType(of delivery: Delivery) -> String {
        if let type = delivery.properties.type, !type.isEmpty { return type }
        return "\(delivery.routingKey).v1"
    }

    /// Checks the envelope and decodes the body; a `ContractError` says why it never will.
    func decode(_ delivery: Delivery) throws -> InboundMessage {
        let type = Self.messageType(of: delivery)
        // A command from outside, checked before anything reads the body, so a huge one costs no
        // parsing. Events between services are not limited here: a producer's event is never refused.
        let fromOutside = delivery.isFromRetryQueue ? delivery.properties.headers["x-original-exchange"]?.description == Topology.ingress
            : delivery.exchange == Topology.ingress
        guard !fromOutside || delivery.body.count <= MessageLimits.maxBodyBytes else {
            throw ContractError(.messageTooLarge, "the body is \(delivery.body.count) bytes; the limit is \(MessageLimits.maxBodyBytes)")
        }
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
        // After a retry the broker routed it by queue name; the original names travel in headers,
        // which count only on a message back from the service's own retry queue.
        let headers = delivery.properties.headers
        let retried = delivery.isFromRetryQueue
        let exchange = retried ? headers["x-original-exchange"].map(\.description) ?? delivery.exchange : delivery.exchange
        let routingKey = retried ? headers["x-original-routing-key"].map(\.description) ?? delivery.routingKey : delivery.routingKey
        if let route = routes[type], route != Topology.Binding(exchange, routingKey) {
            throw ContractError(.invalidEnvelope, "type \(type) travels as \(route.routingKey) on \(route.exchange), not as \(routingKey) on \(exchange)")
        }
        let envelope = Envelope(messageId: id, type: type, source: delivery.properties.appId ?? "unknown",
                                time: delivery.properties.timestamp ?? Date(), correlationId: delivery.properties.correlationId,
                                causationId: causation, replyTo: delivery.properties.replyTo)
        // A retry comes back from the service's own retry queue without `user_id`, which only the
        // sender's connection may set; the consumer kept it in a header. From anywhere else that
        // header is the sender's own words and counts for nothing.
        let kept = delivery.isFromRetryQueue ? headers["x-original-user-id"]?.description : nil
        let userId = delivery.properties.userId ?? kept
        // A command names its sender: the broker checks `user_id` against the connection, and the
        // service records it as the command's actor. Without it nobody answers for the command.
        if exchange == Topology.ingress, userId?.isEmpty ?? true {
            throw ContractError(.missingUserId, "a command on \(Topology.ingress) must carry user_id (the sender's broker user)")
        }
        return InboundMessage(envelope: envelope, exchange: exchange, routingKey: routingKey, headers: headers,
                              fromRetryQueue: delivery.isFromRetryQueue, userId: userId, payload: payload)
    }
}
