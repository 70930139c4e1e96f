import Foundation

/// `risk.approval.requested`: an action beyond its actor's authority waits for an approver.
public struct RiskApprovalRequested: ApprovalRequestedEvent, Equatable {
    public static let messageType = "risk.approval.requested.v1"
    public static let routingKey = "risk.approval.requested"
    public let approval: ApprovalRequestInfo
    public init(_ approval: ApprovalRequestInfo) { self.approval = approval }
}

/// `risk.approval.decided`: an approval request was approved (the action took effect) or rejected.
public struct RiskApprovalDecided: ApprovalDecidedEvent, Equatable {
    public static let messageType = "risk.approval.decided.v1"
    public static let routingKey = "risk.approval.decided"
    public let decision: ApprovalDecisionInfo
    public init(_ decision: ApprovalDecisionInfo) { self.decision = decision }
}
