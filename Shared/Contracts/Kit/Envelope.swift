import Foundation

/// What travels in AMQP properties beside every body. Meanings follow CloudEvents:
/// `messageId` = id (and the idempotency key), `type`, `source` = app_id, `time`,
/// `correlationId` = the order or case it belongs to, `causationId` = the message that caused it.
public struct Envelope: Sendable, Equatable {
    public var messageId: UUID
    public var type: String
    public var source: String
    public var time: Date
    public var correlationId: String?
    public var causationId: String?
    public var replyTo: String?

    public init(messageId: UUID = UUID(), type: String, source: String, time: Date = Date(),
                correlationId: String? = nil, causationId: String? = nil, replyTo: String? = nil) {
        self.messageId = messageId; self.type = type; self.source = source; self.time = time
        self.correlationId = correlationId; self.causationId = causationId; self.replyTo = replyTo
    }
}

/// A message shape on the bus. `type` carries the version (`sales.order.placed.v1`); a
/// breaking change is a new type next to the old one, never an edit of the old one.
public protocol MessageContract: Codable, Sendable {
    static var messageType: String { get }
}

/// The largest command body a service reads from `bizops.ingress` (1 MiB): a larger one is
/// dead-lettered unread (`message-too-large`).
public enum MessageLimits {
    public static let maxBodyBytes = 1_048_576
}

/// Why a message can never be handled: it goes to the dead-letter queue with this reason.
public struct ContractError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable { case malformedJSON = "malformed-json", unknownType = "unknown-type",
                                         invalidField = "invalid-field", invalidEnvelope = "invalid-envelope",
                                         missingUserId = "missing-user-id", messageTooLarge = "message-too-large" }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }
    public var description: String { "\(code.rawValue): \(message)" }
}

/// The answer to a command's `reply_to` when there is no domain event to answer with.
public struct CommandOutcome: MessageContract, Equatable {
    public static let messageType = "bizops.command.outcome.v1"

    public let outcome: Outcome
    public let reasonCode: ReasonCode
    public let message: String
    /// The command's routing key and message id, so the sender can match the answer.
    public let command: String
    public let messageId: String?

    public init(outcome: Outcome, reasonCode: ReasonCode, message: String, command: String, messageId: String?) {
        self.outcome = outcome; self.reasonCode = reasonCode; self.message = message; self.command = command
        self.messageId = messageId
    }
}

/// What became of a command that has no domain event to answer with.
public enum Outcome: ExtensibleCode {
    /// Valid, but the business state refused it (acknowledged, in the refusal log; never a dead letter).
    case refused
    /// Poison: it can never succeed (malformed, invalid, unknown, retries exhausted); dead-lettered.
    case rejected
    /// It repeated what was already done and changed nothing.
    case unchanged
    /// Accepted, but beyond its sender's authority: it waits for an approval, and the answer
    /// (the event it causes, or its rejection) follows once a person has decided.
    case pending
    case unknown(String)

    public static let known: [Outcome] = [.refused, .rejected, .unchanged, .pending]
    public var rawValue: String {
        switch self {
        case .refused: "refused"
        case .rejected: "rejected"
        case .unchanged: "unchanged"
        case .pending: "pending"
        case .unknown(let raw): raw
        }
    }
}
