// `LogisticsContractReviewed` is generated from its schema (LogisticsEvents.swift); sales reads every
// department's answer through `ContractReviewedEvent`.
extension LogisticsContractReviewed: ContractReviewedEvent {
    public static let department = "logistics"
}
