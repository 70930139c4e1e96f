// `RiskApprovalRequested` and `RiskApprovalDecided` are generated from their schemas (RiskEvents.swift);
// the kit's approval book publishes them through these protocols.
extension RiskApprovalRequested: ApprovalRequestedEvent {}
extension RiskApprovalDecided: ApprovalDecidedEvent {}
