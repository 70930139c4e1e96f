import Contracts
import Foundation
import Logging
import Storage

/// What became of each delivery of a batch.
public struct BatchResult: Sendable {
    /// Done (handled now, a duplicate handled before, or refused and answered): acknowledge.
    public var handled: [Delivery] = []
    public var duplicates: Int { duplicateTags.count }
    /// Among `handled`: the duplicates (handled before) and the refused, by delivery tag.
    public var duplicateTags = Set<UInt64>()
    public var refusedTags = Set<UInt64>()
    /// Refused by the business state (among `handled`): their reason codes.
    public var refusals: [ReasonCode] = []
    /// Failed for now (database away, a timeout): try again later through a retry queue.
    public var transient: [(Delivery, String)] = []
    /// Came before the state it needs (a refusal that waits): back through the retry queues,
    /// bounded by time, not by MAX_RETRIES.
    public var waiting: [(Delivery, String)] = []
    /// Can never succeed: dead-letter with a reason code and message.
    public var permanent: [(Delivery, code: ReasonCode, message: String)] = []
}

/// Runs a batch of deliveries through the inbox and the handlers in ONE transaction:
/// one inbox row per message, the handlers' state changes and outbox rows, one commit.
/// A message whose handler refuses or rejects it, or asks to be retried later, is taken out and
/// the batch runs again without it, so its batch mates are neither held up nor charged a retry;
/// the refusals are recorded (and answered) in that same transaction.
public final class MessageProcessor: Sendable {
    public let service: String
    public let registry: HandlerRegistry
    public let pool: PostgresPool
    /// How long a refusal that waits for state (`Refusal.waitsForState`) may wait, in seconds.
    public let waitBound: Double
    /// Outcomes and handler times by message type (the consumer counts the outcomes).
    public let metrics: ConsumeMetrics
    private let logger: Logger

    public init(service: String, registry: HandlerRegistry, pool: PostgresPool, waitBound: Double = 30, logger: Logger) {
        self.service = service; self.registry = registry; self.pool = pool; self.waitBound = waitBound; self.logger = logger
        metrics = ConsumeMetrics(service: service, types: registry.messageTypes)
    }

    private struct Abort: Error { let index: Int; let code: ReasonCode; let message: String }
    /// One message's handler asked to be tried later: only that message goes to a retry queue.
    private struct Postpone: Error { let index: Int; let reason: String }
    private struct Refuse: Error { let index: Int; let refusal: Refusal }
    /// Recording a refusal failed on its own data: that message, not its batch mates, pays.
    private struct RecordFailed: Error { let index: Int; let message: String }
    /// A refusal to record in the batch's transaction.
    struct Refused: Sendable { let message: InboundMessage; let refusal: Refusal; let waited: Double }

    public func process(_ deliveries: [Delivery]) async -> BatchResult {
        var result = BatchResult()
        var pending: [(Delivery, InboundMessage)] = []
        for delivery in deliveries {
            do { pending.append((delivery, try registry.decode(delivery))) } catch let error as ContractError {
                result.permanent.append((delivery, ReasonCode(error.code.rawValue), error.message))
            } catch {
                result.permanent.append((delivery, .invalidMessage, "\(error)"))
            }
        }
        var refused: [(Delivery, Refused)] = []
        let spans = await WorkSpans.prepare(for: pending.map(\.1.envelope.correlationId), pool: pool)
        while !pending.isEmpty || !refused.isEmpty {
            let batch = pending.map(\.1), toRecord = refused.map(\.1)
            let registry = self.registry, service = self.service, logger = self.logger, metrics = self.metrics
            var committed = false
            defer { spans.finish(committed: committed) }
            do {
                let duplicates = try await pool.transaction { tx in
                    spans.attempt()
                    return try Self.run(batch, refused: toRecord, tx: tx, registry: registry, metrics: metrics, spans: spans,
                                        service: service, logger: logger)
                }
                committed = true
                result.duplicateTags.formUnion(duplicates.map { pending[$0].0.deliveryTag })
                result.refusedTags.formUnion(refused.map(\.0.deliveryTag))
                result.refusals += refused.map(\.1.refusal.code)
                result.handled += pending.map(\.0) + refused.map(\.0)
                pending = []; refused = []
            } catch let abort as Abort {
                let (delivery, _) = pending.remove(at: abort.index)
                result.permanent.append((delivery, abort.code, abort.message))
            } catch let postpone as Postpone {
                let (delivery, _) = pending.remove(at: postpone.index)
                result.transient.append((delivery, postpone.reason))
            } catch let failed as RecordFailed {
                let (delivery, _) = refused.remove(at: failed.index)
                result.permanent.append((delivery, .databaseRejected, failed.message))
            } catch let refuse as Refuse {
                let (delivery, message) = pending.remove(at: refuse.index)
                let waited = Self.waited(message)
                let waits = message.fromRetryQueue ? message.headers["x-wait-count"]?.intValue ?? 0 : 0
                if refuse.refusal.waitsForState && waited < waitBound && waits < Self.maxWaits {
                    logger.info("came before the state it needs; waits", metadata: [
                        "message_id": "\(message.envelope.messageId.uuidString.lowercased())", "reason": "\(refuse.refusal.code)",
                        "waited_seconds": "\(Int(waited))"])
                    result.waiting.append((delivery, refuse.refusal.description))
                } else {
                    refused.append((delivery, Refused(message: message, refusal: refuse.refusal, waited: waited)))
                }
            } catch {
                let reason = "\(error)"
                logger.warning("batch failed, messages will be retried", metadata: ["error": "\(reason)", "count": "\(pending.count + refused.count)"])
                result.transient += pending.map { ($0.0, reason) } + refused.map { ($0.0, reason) }
                pending = []; refused = []
            }
        }
        spans.keepFirstTracesLater(pool)
        return result
    }

    /// Seconds since the message first arrived (the consumer stamps its first retry; a stamp
    /// a sender wrote itself does not count).
    static func waited(_ message: InboundMessage, now: Date = Date()) -> Double {
        guard message.fromRetryQueue, let first = message.headers["x-first-attempt-at"]?.intValue else { return 0 }
        return max(0, now.timeIntervalSince1970 - Double(first) / 1000)
    }

    /// What a message's span says of it (OpenTelemetry's messaging conventions).
    static func spanAttributes(_ message: InboundMessage, service: String) -> [String: String] {
        ["messaging.system": "rabbitmq", "messaging.operation.type": "process", "messaging.destination.name": service,
         "messaging.rabbitmq.destination.routing_key": message.routingKey,
         "messaging.message.id": message.envelope.messageId.uuidString.lowercased(), "bizops.message.source": message.envelope.source]
    }

    /// A backstop beside the time bound: no message waits more often than this.
    static let maxWaits: Int64 = 50

    static func logger(_ base: Logger, for message: InboundMessage) -> Logger {
        var logger = base
        logger[metadataKey: "correlation_id"] = "\(message.envelope.correlationId ?? "-")"
        logger[metadataKey: "message_id"] = "\(message.envelope.messageId.uuidString.lowercased())"
        logger[metadataKey: "type"] = "\(message.envelope.type)"
        return logger
    }

    /// Inside the transaction: records the inbox rows in one statement, then runs the
    /// handlers of the messages that are new. Returns the positions of the duplicates.
    private static func run(_ batch: [InboundMessage], refused: [Refused], tx: Transaction, registry: HandlerRegistry,
                            metrics: ConsumeMetrics, spans: WorkSpans, service: String, logger: Logger) throws -> [Int] {
        let outbox = OutboxWriter(source: service, transaction: tx)
        for (index, entry) in refused.enumerated() {
            let messageLogger = Self.logger(logger, for: entry.message)
            messageLogger.notice("refused", metadata: ["reason": "\(entry.refusal.code)", "detail": "\(entry.refusal.message)"])
            let cause = Cause(entry.message)
            let span = spans.start("\(entry.message.envelope.type) refused", kind: .consumer, cause: cause,
                                   attributes: spanAttributes(entry.message, service: service))
            span.note(refusal: entry.refusal.code.rawValue)
            do {
                try RefusalLog.record(entry.refusal, of: entry.message, waited: entry.waited,
                                      UnitOfWork(transaction: tx, outbox: outbox, cause: cause, logger: messageLogger, span: span))
                try outbox.flush(tx)  // its rows now, so a bad one is this message's failure
            } catch let error as PostgresError where error.kind == .server && !error.isTransient {
                span.note(error: error)  // this one is dead-lettered; its batch mates run again
                throw RecordFailed(index: index, message: "could not record the refusal: \(error)")
            } catch let error as EncodingError {
                span.note(error: error)
                throw RecordFailed(index: index, message: "could not record the refusal: \(error)")
            }
        }
        guard !batch.isEmpty else { return [] }
        var fresh = try InboxStore(tx: tx).take(batch.map { (id: $0.envelope.messageId.uuidString.lowercased(), type: $0.envelope.type,
                                                             source: $0.envelope.source) })
        var duplicates: [Int] = []
        var askAgain: [InboundMessage] = []
        for (index, message) in batch.enumerated() {
            guard fresh.remove(message.envelope.messageId) != nil else {
                duplicates.append(index)
                if let replyTo = message.envelope.replyTo, !replyTo.isEmpty { askAgain.append(message) }
                continue
            }
            let messageLogger = Self.logger(logger, for: message)
            let cause = Cause(message)
            let span = spans.start("\(message.envelope.type) process", kind: .consumer, cause: cause,
                                   attributes: spanAttributes(message, service: service))
            let work = UnitOfWork(transaction: tx, outbox: outbox, cause: cause, logger: messageLogger, span: span)
            let started = ContinuousClock.now
            defer {
                let took = ContinuousClock.now - started
                metrics.handlerTime(message.envelope.type, took)
                span.note(handlerTook: took)
            }
            do {
                try span.run { try registry.handler(for: message.envelope.type)!(message.payload, work) }
            } catch let refusal as Refusal {
                throw Refuse(index: index, refusal: refusal)
            } catch let poison as Poison {
                messageLogger.warning("rejected: \(poison)")
                throw Abort(index: index, code: poison.code, message: poison.message)
            } catch let later as RetryLater {
                messageLogger.info("not ready, will retry: \(later)")
                throw Postpone(index: index, reason: later.description)
            } catch let error as ContractError {
                throw Abort(index: index, code: ReasonCode(error.code.rawValue), message: error.message)
            } catch let error as PostgresError where error.kind == .server && !error.isTransient
                        && ["22", "23"].contains(where: { (error.sqlState ?? "").hasPrefix($0) }) {
                // Bad data or a broken constraint: running it again gives the same answer.
                messageLogger.error("handler failed on data: \(error)")
                throw Abort(index: index, code: .databaseRejected, message: "\(error)")
            }
        }
        if !askAgain.isEmpty { try replay(askAgain, tx: tx, outbox: outbox, service: service, logger: logger) }
        return duplicates
    }

    /// A command sent again (same message_id) whose sender asks for an answer gets the answers
    /// the first one caused, again (with new message ids and `x-replayed`), to its own `reply_to`;
    /// when there are none (none was asked for, or one is still to come), an `unchanged` outcome.
    private static func replay(_ messages: [InboundMessage], tx: Transaction, outbox: OutboxWriter,
                               service: String, logger: Logger) throws {
        try outbox.flush(tx)  // the first one may be in this very batch
        for message in messages {
            let id = message.envelope.messageId.uuidString.lowercased()
            guard let replyTo = message.envelope.replyTo, Topology.replyTo(replyTo, belongsTo: message.userId) else {
                logger.notice("repeated command not answered: reply_to is not a queue of the sender", metadata: [
                    "message_id": "\(id)", "reply_to": "\(message.envelope.replyTo ?? "-")", "sender": "\(message.userId ?? "-")"])
                continue
            }
            let copied = try OutboxStore(tx: tx).copyAnswers(causedBy: id, to: replyTo)
            logger.info("answered a repeated command again", metadata: [
                "message_id": "\(id)", "type": "\(message.envelope.type)", "answers": "\(copied)"])
            if copied == 0 {
                outbox.enqueue(try .answer(
                    CommandOutcome(outcome: .unchanged, reasonCode: .alreadyHandled,
                                   message: "message \(id) was handled already; no answer to it is on record (none was asked for, or it is still to come)",
                                   command: message.routingKey, messageId: id),
                    to: message.envelope.replyTo ?? "", from: service, correlationId: message.envelope.correlationId,
                    causationId: id))
            }
        }
    }
}
