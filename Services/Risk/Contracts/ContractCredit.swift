import Contracts
import Foundation
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// Risk's part in contracts: it reviews a draft's value against the customer's credit.
enum RiskContracts {
    static func drafted(_ draft: ContractDrafted, _ work: UnitOfWork) throws {
        guard ContractReviewAnswer.asked(RiskContractReviewed.self, draft) else { return }
        let store = CreditStore(tx: work.transaction)
        let verdict = ContractCreditReview.review(profile: try store.profile(draft.customerCode), exposure: try store.exposure(of: draft.customerCode),
                                                  value: draft.value)
        try ContractReviewAnswer.give(RiskContractReviewed.self, to: draft, approved: verdict.approved, remarks: verdict.remarks, work)
    }
}
