import Foundation

/// `finance.approval.requested`: an action beyond its actor's authority waits for an approver.
public struct FinanceApprovalRequested: ApprovalRequestedEvent, Equatable {
    public static let messageType = "finance.approval.requested.v1"
    public static let routingKey = "finance.approval.requested"
    public let approval: ApprovalRequestInfo
    public init(_ approval: ApprovalRequestInfo) { self.approval = approval }
}

/// `finance.approval.decided`: an approval request was approved (the action took effect) or rejected.
public struct FinanceApprovalDecided: ApprovalDecidedEvent, Equatable {
    public static let messageType = "finance.approval.decided.v1"
    public static let routingKey = "finance.approval.decided"
    public let decision: ApprovalDecisionInfo
    public init(_ decision: ApprovalDecisionInfo) { self.decision = decision }
}
