import Contracts
import Foundation
import LogisticsDomain
import Messaging
import ServiceKit
import Storage

/// Logistics' part in contracts: it reviews a draft's delivery terms against handling and the
/// stock on hand, and keeps a signed contract's delivery terms and volumes.
enum LogisticsContracts {
    static func drafted(_ draft: ContractDrafted, _ work: UnitOfWork) throws {
        guard ContractReviewAnswer.asked(LogisticsContractReviewed.self, draft) else { return }
        let skus = draft.terms.lines.map(\.sku)
        let available = try ContractDeliveryStore(tx: work.transaction).available(skus)
        let verdict = DeliveryReview.review(leadTimeDays: draft.terms.delivery.leadTimeDays,
                                            lines: draft.terms.lines.map { ($0.sku, $0.quantity) }, available: available)
        try ContractReviewAnswer.give(LogisticsContractReviewed.self, to: draft, approved: verdict.approved, remarks: verdict.remarks, work)
    }

    static func signed(_ contract: ContractSigned, _ work: UnitOfWork) throws {
        try ContractDeliveryStore(tx: work.transaction).keep(contract)
        work.logger.info("contract's delivery terms kept", metadata: ["contract": "\(contract.contractNo)", "customer": "\(contract.customerCode)"])
    }
}
