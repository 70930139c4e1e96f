import Foundation

/// An approval request as its events tell it (`<service>.approval.requested`): an action beyond
/// the actor's authority, addressed to the lowest level whose limit covers it, under the rule in
/// force when it was asked.
public struct ApprovalRequestInfo: Codable, Sendable, Equatable {
    public let requestId: UUID
    /// The action within the service (`order.release`, `payment.manual`, …).
    public let action: String
    /// What it is about: an order reference, a customer code, a complaint number.
    public let subject: String
    /// In `unit`: money in minor units, percent in hundredths (1250 = 12.50 %), quantity in units.
    public let amount: Int64
    public let unit: String
    public let summary: String
    public let requestedBy: String
    /// The lowest role whose limit covers the amount (`risk:manager`, …, `executive`).
    public let approverRole: String
    /// The authority rule (a row of the service's limits, never edited) that addressed it, and its limit (absent: none).
    public let ruleId: Int64
    public let limit: Int64?

    public init(requestId: UUID, action: String, subject: String, amount: Int64, unit: String, summary: String,
                requestedBy: String, approverRole: String, ruleId: Int64, limit: Int64?) {
        self.requestId = requestId; self.action = action; self.subject = subject; self.amount = amount; self.unit = unit
        self.summary = summary; self.requestedBy = requestedBy; self.approverRole = approverRole; self.ruleId = ruleId; self.limit = limit
    }
}

/// A decision on an approval request (`<service>.approval.decided`): who decided, for whom
/// (a delegate names the approver they stand in for), under which rule, and why.
public struct ApprovalDecisionInfo: Codable, Sendable, Equatable {
    public let requestId: UUID
    public let action: String
    public let subject: String
    public let amount: Int64
    public let unit: String
    /// `approved` (the action took effect in the same transaction), `rejected` (nothing changed) or
    /// `superseded` (asked again with another amount or content, or dealt with another way: it can no longer be approved).
    public let outcome: String
    public let requestedBy: String
    public let decidedBy: String
    public let onBehalfOf: String?
    /// The decider's authority rule in force when they decided, and its limit (absent: none).
    public let ruleId: Int64?
    public let limit: Int64?
    public let reason: String?

    public init(requestId: UUID, action: String, subject: String, amount: Int64, unit: String, outcome: String, requestedBy: String,
                decidedBy: String, onBehalfOf: String?, ruleId: Int64?, limit: Int64?, reason: String?) {
        self.requestId = requestId; self.action = action; self.subject = subject; self.amount = amount; self.unit = unit
        self.outcome = outcome; self.requestedBy = requestedBy; self.decidedBy = decidedBy; self.onBehalfOf = onBehalfOf
        self.ruleId = ruleId; self.limit = limit; self.reason = reason
    }
}

/// A service's `<service>.approval.requested` event.
public protocol ApprovalRequestedEvent: RoutedContract { init(_ approval: ApprovalRequestInfo) }
/// A service's `<service>.approval.decided` event.
public protocol ApprovalDecidedEvent: RoutedContract { init(_ decision: ApprovalDecisionInfo) }
