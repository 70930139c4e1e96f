// `FinanceContractReviewed` is generated from its schema (FinanceEvents.swift); sales reads every
// department's answer through `ContractReviewedEvent`.
extension FinanceContractReviewed: ContractReviewedEvent {
    public static let department = "finance"
}
