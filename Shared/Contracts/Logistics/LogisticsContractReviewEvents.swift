import Foundation

/// `logistics.contract.reviewed`: logistics' answer on delivery (lead time against handling and stock).
public struct LogisticsContractReviewed: ContractReviewedEvent {
    public static let messageType = "logistics.contract.reviewed.v1"
    public static let routingKey = "logistics.contract.reviewed"
    public static let department = "logistics"
    public let contractNo: String
    public let revision: Int64
    public let outcome: String
    public let remarks: String
    public init(contractNo: String, revision: Int64, outcome: String, remarks: String) {
        self.contractNo = contractNo; self.revision = revision; self.outcome = outcome; self.remarks = remarks
    }
}
