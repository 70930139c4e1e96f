import Foundation

/// `logistics.approval.requested`: an action beyond its actor's authority waits for an approver.
public struct LogisticsApprovalRequested: ApprovalRequestedEvent, Equatable {
    public static let messageType = "logistics.approval.requested.v1"
    public static let routingKey = "logistics.approval.requested"
    public let approval: ApprovalRequestInfo
    public init(_ approval: ApprovalRequestInfo) { self.approval = approval }
}

/// `logistics.approval.decided`: an approval request was approved (the action took effect) or rejected.
public struct LogisticsApprovalDecided: ApprovalDecidedEvent, Equatable {
    public static let messageType = "logistics.approval.decided.v1"
    public static let routingKey = "logistics.approval.decided"
    public let decision: ApprovalDecisionInfo
    public init(_ decision: ApprovalDecisionInfo) { self.decision = decision }
}
