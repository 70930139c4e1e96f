// `CustomerServiceApprovalRequested` and `CustomerServiceApprovalDecided` are generated from their schemas (CustomerServiceEvents.swift);
// the kit's approval book publishes them through these protocols.
extension CustomerServiceApprovalRequested: ApprovalRequestedEvent {}
extension CustomerServiceApprovalDecided: ApprovalDecidedEvent {}
