// `SalesApprovalRequested` and `SalesApprovalDecided` are generated from their schemas (SalesEvents.swift);
// the kit's approval book publishes them through these protocols.
extension SalesApprovalRequested: ApprovalRequestedEvent {}
extension SalesApprovalDecided: ApprovalDecidedEvent {}
