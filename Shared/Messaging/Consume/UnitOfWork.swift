import Contracts
import Foundation
import Logging
import Storage

/// What started a unit of work: a message from the bus, a person's HTTP request, or a job
/// on the clock. Events the work publishes take their correlation and causation from it, and
/// answers go to its `reply_to`. Codable, so work that answers later (a cancellation waiting
/// for the warehouse) can keep it in one column and answer it exactly as if it were now.
public struct Cause: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case message, request, job }

    public var kind: Kind
    /// The message id (the idempotency key), or a fresh id for a request or a job run.
    public var id: String
    /// The message type (`shipment.dispatch.v1`), `POST /orders/{orderRef}/cancel`, or `job <name>` for a job's run.
    public var type: String
    /// Who sent it: the message's `app_id`, or the service itself for a request or a job.
    public var source: String
    /// When it was sent (the message's `timestamp`), else when the work began.
    public var time: Date
    /// The order or case it belongs to.
    public var correlationId: String?
    public var replyTo: String?
    /// The routing key a message came with (the command's name).
    public var routingKey: String?
    /// The party responsible: the person of a request's token, the broker-checked `user_id` of a
    /// command (the outside system), or for an event the actor it carries (`x-actor`).
    public var actor: String?
    /// The roles the actor's token gave (a request's); none for a system.
    public var roles: [String]?
    /// The trace it belongs to (its `traceparent`), when the sender gave one.
    public var trace: TraceContext?

    public init(kind: Kind, id: String, type: String, source: String, time: Date = Date(), correlationId: String? = nil,
                replyTo: String? = nil, routingKey: String? = nil, actor: String? = nil, roles: [String]? = nil) {
        self.kind = kind; self.id = id; self.type = type; self.source = source; self.time = time
        self.correlationId = correlationId; self.replyTo = replyTo; self.routingKey = routingKey; self.actor = actor
        self.roles = roles
    }

    /// The cause of handling a message from the bus.
    public init(_ message: InboundMessage) {
        let envelope = message.envelope
        self.init(kind: .message, id: envelope.messageId.uuidString.lowercased(), type: envelope.type, source: envelope.source,
                  time: envelope.time, correlationId: envelope.correlationId, replyTo: envelope.replyTo,
                  routingKey: message.routingKey, actor: message.actor)
        trace = message.headers[TraceContext.header].flatMap { TraceContext($0.description) }
    }

    /// A synthetic cause for work the service starts itself (a request, a job run).
    public static func local(_ kind: Kind, _ type: String, service: String, correlationId: String? = nil, actor: String? = nil,
                             roles: [String]? = nil, trace: TraceContext? = nil) -> Cause {
        var cause = Cause(kind: kind, id: UUID().uuidString.lowercased(), type: type, source: service, correlationId: correlationId,
                          actor: actor, roles: roles)
        cause.trace = trace
        return cause
    }

    /// The id as a UUID (every cause id is one).
    public var uuid: UUID? { UUID(uuidString: id) }
}

/// One transaction, what caused it, and the events and answers it sends: the one thing a
/// message handler, an HTTP command and a clock-driven job all work with. Events and answers
/// go through the outbox, so they commit with the state changes or not at all.
public final class UnitOfWork {
    public let transaction: Transaction
    public let outbox: OutboxWriter
    public let cause: Cause
    public let logger: Logger
    /// The order or case the events belong to: the cause's, until `correlate(with:)` names the stored one.
    public private(set) var correlationId: String?

    /// The trace the work is a span of: its cause's, or a new one where the chain starts.
    public let trace: TraceContext

    /// `span` is the work's own (`WorkSpan`), whose context its events carry; without one the
    /// work continues its cause's trace by itself.
    public init(transaction: Transaction, outbox: OutboxWriter, cause: Cause, logger: Logger, span: WorkSpan? = nil) {
        self.transaction = transaction; self.outbox = outbox; self.cause = cause
        let trace = span?.trace ?? cause.trace?.child() ?? .fresh()
        self.trace = trace
        var logger = logger
        logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        self.logger = logger
        self.correlationId = cause.correlationId
        // The actor for the rows this work writes: history tables default their `actor` column to
        // it (`current_setting('bizops.actor')`), so every record says who without each store passing it.
        // Transaction-local, so a batch's next message (or a rolled-back savepoint) sets its own.
        _ = try? transaction.setLocal("bizops.actor", cause.actor ?? "")
    }

    /// Work on a record that keeps its own correlation id (the order's, from when it was placed):
    /// the events from here on carry that one, whatever id the request or command came with.
    public func correlate(with id: String?) {
        if let id, !id.isEmpty { correlationId = id }
    }

    /// When the work's cause happened (a message's timestamp): the business date of its effects.
    public var time: Date { cause.time }

    /// An event caused by this work: its correlation id, causation id = the cause's id.
    @discardableResult
    public func publish<T: MessageContract>(_ event: T, routingKey: String) throws -> UUID {
        try outbox.publish(event, routingKey: routingKey, correlationId: correlationId, causationId: cause.id, actor: cause.actor, trace: trace)
    }

    /// An event whose contract names its routing key.
    @discardableResult
    public func publish<T: RoutedContract>(_ event: T) throws -> UUID { try publish(event, routingKey: T.routingKey) }

    /// An event with an id of the caller's choosing (derived from what it is about, so a repeat
    /// of the same fact is the same message and is published once).
    @discardableResult
    public func publish<T: RoutedContract>(_ event: T, messageId: UUID) throws -> UUID {
        try outbox.publish(event, routingKey: T.routingKey, correlationId: correlationId, causationId: cause.id, messageId: messageId,
                           actor: cause.actor, trace: trace)
    }

    /// A message for one outside system alone (its `<system>.inbox`, through `bizops.direct`),
    /// under the message's own routing key, in the work's transaction like every event.
    @discardableResult
    public func send<T: RoutedContract>(_ message: T, to system: String) throws -> UUID {
        try outbox.publish(message, routingKey: T.routingKey, exchange: Topology.direct, correlationId: correlationId, causationId: cause.id,
                           actor: cause.actor, trace: trace, headers: [Topology.recipientHeader: .string(system)])
    }

    /// An event about one of several records the work touches (a job's run over many orders),
    /// under that record's correlation id (the work's when it has none).
    @discardableResult
    public func publish<T: RoutedContract>(_ event: T, correlationId: String?) throws -> UUID {
        try outbox.publish(event, routingKey: T.routingKey, correlationId: correlationId ?? self.correlationId, causationId: cause.id,
                           actor: cause.actor, trace: trace)
    }

    /// Answers the cause's `reply_to` (a command whose sender asked); does nothing otherwise.
    /// A warning (the command was handled, but not as its sender may think) travels with the
    /// answer as the headers `x-warning-code` (a reason code) and `x-warning` (for people).
    public func reply<T: MessageContract>(_ answer: T, warning: AnswerWarning? = nil) throws {
        try reply(answer, to: cause, warning: warning)
    }

    /// Answers a cause kept from earlier work (an answer that had to wait), under its own
    /// correlation id, with its id as the causation id.
    public func reply<T: MessageContract>(_ answer: T, to kept: Cause, warning: AnswerWarning? = nil) throws {
        guard let replyTo = kept.replyTo, !replyTo.isEmpty else { return }
        guard Topology.replyTo(replyTo, belongsTo: kept.actor) else {
            logger.notice("answer not sent: reply_to is not a queue of the sender", metadata: [
                "reply_to": "\(replyTo)", "sender": "\(kept.actor ?? "-")", "cause": "\(kept.id)"])
            return
        }
        var message = try OutgoingMessage.answer(answer, to: replyTo, from: outbox.source, correlationId: kept.correlationId ?? correlationId,
                                                 causationId: kept.id)
        // The answer continues the trace of the command it answers.
        message.properties.headers[TraceContext.header] = .string(trace.traceparent)
        if let warning {
            message.properties.headers[Self.warningCodeHeader] = .string(warning.code.rawValue)
            message.properties.headers[Self.warningHeader] = .string(warning.message)
        }
        outbox.enqueue(message)
    }

    public static let warningCodeHeader = "x-warning-code", warningHeader = "x-warning"

    /// Answers a command that changed nothing (it repeated what was already done).
    public func replyUnchanged(_ reasonCode: ReasonCode, _ message: String) throws {
        try reply(CommandOutcome(outcome: .unchanged, reasonCode: reasonCode, message: message,
                                 command: cause.routingKey ?? cause.type, messageId: cause.id))
    }
}

/// What an answer warns its sender of: the command was handled, but not as the sender may think
/// (a reason code, and a message for people).
public typealias AnswerWarning = (code: ReasonCode, message: String)
