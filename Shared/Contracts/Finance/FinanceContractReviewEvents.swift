import Foundation

/// `finance.contract.reviewed`: finance's answer on the payment terms (against the customer's terms on file).
public struct FinanceContractReviewed: ContractReviewedEvent {
    public static let messageType = "finance.contract.reviewed.v1"
    public static let routingKey = "finance.contract.reviewed"
    public static let department = "finance"
    public let contractNo: String
    public let revision: Int64
    public let outcome: String
    public let remarks: String
    public init(contractNo: String, revision: Int64, outcome: String, remarks: String) {
        self.contractNo = contractNo; self.revision = revision; self.outcome = outcome; self.remarks = remarks
    }
}
