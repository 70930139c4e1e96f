// `RiskContractReviewed` is generated from its schema (RiskEvents.swift); sales reads every
// department's answer through `ContractReviewedEvent`.
extension RiskContractReviewed: ContractReviewedEvent {
    public static let department = "risk"
}
