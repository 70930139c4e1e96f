// `FinanceApprovalRequested` and `FinanceApprovalDecided` are generated from their schemas (FinanceEvents.swift);
// the kit's approval book publishes them through these protocols.
extension FinanceApprovalRequested: ApprovalRequestedEvent {}
extension FinanceApprovalDecided: ApprovalDecidedEvent {}
