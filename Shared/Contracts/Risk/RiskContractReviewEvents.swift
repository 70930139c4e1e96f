import Foundation

/// `risk.contract.reviewed`: risk's answer on credit (the expected exposure against the customer's limit).
public struct RiskContractReviewed: ContractReviewedEvent {
    public static let messageType = "risk.contract.reviewed.v1"
    public static let routingKey = "risk.contract.reviewed"
    public static let department = "risk"
    public let contractNo: String
    public let revision: Int64
    public let outcome: String
    public let remarks: String
    public init(contractNo: String, revision: Int64, outcome: String, remarks: String) {
        self.contractNo = contractNo; self.revision = revision; self.outcome = outcome; self.remarks = remarks
    }
}
