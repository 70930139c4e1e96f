// `LogisticsApprovalRequested` and `LogisticsApprovalDecided` are generated from their schemas (LogisticsEvents.swift);
// the kit's approval book publishes them through these protocols.
extension LogisticsApprovalRequested: ApprovalRequestedEvent {}
extension LogisticsApprovalDecided: ApprovalDecidedEvent {}
