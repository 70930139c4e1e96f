import Contracts
import Foundation
import Metrics
import Storage

/// A valid message that the business state refuses: an unknown order, goods not yet paid for,
/// a payment that contradicts one on record. It is not a fault and not a dead letter: the
/// message is acknowledged, its sender answered `refused` with this reason, the refusal kept in
/// the service's refusal log and counted, and `event` (when given) published so the other
/// departments hear of it. It is not recorded in the inbox: the same message sent again is
/// checked again.
public struct Refusal: Error, CustomStringConvertible, Sendable {
    public let code: ReasonCode
    public let message: String
    /// The state it needs is probably on its way (a clearance, an acceptance still in flight):
    /// the message waits through the retry queues, and is refused with this reason only when the
    /// state has not come within the wait bound (`WAIT_FOR_STATE_SECONDS`).
    public let waitsForState: Bool
    /// What the refusal means for the business, published with the refusal record.
    public let event: (any RoutedContract)?

    public init(_ code: ReasonCode, _ message: String, waitsForState: Bool = false, event: (any RoutedContract)? = nil) {
        self.code = code; self.message = message; self.waitsForState = waitsForState; self.event = event
    }

    public var description: String { "\(code): \(message)" }
}

/// A message that can never succeed and that a person must look at (an event that contradicts
/// what the service knows, a defect upstream): it goes to the dead-letter queue with this code.
public struct Poison: Error, CustomStringConvertible, Sendable {
    public let code: ReasonCode
    public let message: String
    public init(_ code: ReasonCode, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code): \(message)" }
}

/// Thrown by an event handler whose message came before one it depends on (events of different
/// services arrive in any order): its work is rolled back, the rest of the batch goes on, and
/// the message comes back through the retry queues, by which time the other has usually been
/// handled. Past MAX_RETRIES it is dead-lettered as `retries-exhausted`.
public struct RetryLater: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The service's refusal log: who sent what, when, and why it was refused (the API lists it).
public enum RefusalLog {
    /// Writes the record, answers the sender (`refused`) and publishes the refusal's event, in the
    /// work's transaction.
    static func record(_ refusal: Refusal, of message: InboundMessage, waited: Double, _ work: UnitOfWork) throws {
        let cause = work.cause
        try RefusalStore(tx: work.transaction).add(refusal, of: cause, routingKey: message.routingKey, waited: waited)
        try work.reply(CommandOutcome(outcome: .refused, reasonCode: refusal.code, message: refusal.message,
                                      command: message.routingKey, messageId: cause.id))
        // One event per refused message and reason, however often it is redelivered or sent
        // again: the id is derived from both, and the outbox keeps the first.
        if let event = refusal.event {
            try work.publish(event, messageId: UUID(derivedFrom: "refusal/\(cause.id)/\(refusal.code.rawValue)"))
        }
    }

    /// A person's request refused over HTTP: kept in the same log (its own transaction).
    public static func record(_ refusal: Refusal, request: String, actor: String?, correlationId: String?, _ tx: Transaction) throws {
        try RefusalStore(tx: tx).add(refusal, request: request, actor: actor, correlationId: correlationId)
    }

    /// Counts refusals once they are committed (a batch may be run more than once before it commits).
    public static func count(_ reasons: [ReasonCode], service: String) {
        for (reason, n) in Dictionary(reasons.map { ($0, 1) }, uniquingKeysWith: +) {
            counter(service, reason.rawValue).increment(by: Int64(n))
        }
    }

    static func counter(_ service: String, _ reason: String) -> Counter {
        Counter(label: "bizops_refusals_total", dimensions: [("service", service), ("reason", reason)])
    }
}
