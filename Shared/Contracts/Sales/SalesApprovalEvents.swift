import Foundation

/// `sales.approval.requested`: an action beyond its actor's authority waits for an approver.
public struct SalesApprovalRequested: ApprovalRequestedEvent, Equatable {
    public static let messageType = "sales.approval.requested.v1"
    public static let routingKey = "sales.approval.requested"
    public let approval: ApprovalRequestInfo
    public init(_ approval: ApprovalRequestInfo) { self.approval = approval }
}

/// `sales.approval.decided`: an approval request was approved (the action took effect) or rejected.
public struct SalesApprovalDecided: ApprovalDecidedEvent, Equatable {
    public static let messageType = "sales.approval.decided.v1"
    public static let routingKey = "sales.approval.decided"
    public let decision: ApprovalDecisionInfo
    public init(_ decision: ApprovalDecisionInfo) { self.decision = decision }
}
