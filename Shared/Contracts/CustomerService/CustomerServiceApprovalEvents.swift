import Foundation

/// `customer_service.approval.requested`: an action beyond its actor's authority waits for an approver.
public struct CustomerServiceApprovalRequested: ApprovalRequestedEvent, Equatable {
    public static let messageType = "customer_service.approval.requested.v1"
    public static let routingKey = "customer_service.approval.requested"
    public let approval: ApprovalRequestInfo
    public init(_ approval: ApprovalRequestInfo) { self.approval = approval }
}

/// `customer_service.approval.decided`: an approval request was approved (the action took effect) or rejected.
public struct CustomerServiceApprovalDecided: ApprovalDecidedEvent, Equatable {
    public static let messageType = "customer_service.approval.decided.v1"
    public static let routingKey = "customer_service.approval.decided"
    public let decision: ApprovalDecisionInfo
    public init(_ decision: ApprovalDecisionInfo) { self.decision = decision }
}
