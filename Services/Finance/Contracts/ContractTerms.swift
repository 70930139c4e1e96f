import Contracts
import FinanceDomain
import Foundation
import Messaging
import ServiceKit
import Storage

/// Finance's part in contracts: it reviews a draft's payment terms against the customer's terms
/// on file, and keeps a signed contract's payment terms and value.
enum FinanceContracts {
    static func drafted(_ draft: ContractDrafted, _ work: UnitOfWork) throws {
        guard ContractReviewAnswer.asked(FinanceContractReviewed.self, draft) else { return }
        let verdict = ContractPaymentReview.review(draft.terms.paymentTerms, customer: try ReceivablesStore(tx: work.transaction).terms(draft.customerCode))
        try ContractReviewAnswer.give(FinanceContractReviewed.self, to: draft, approved: verdict.approved, remarks: verdict.remarks, work)
    }

    static func signed(_ contract: ContractSigned, _ work: UnitOfWork) throws {
        try ContractTermsStore(tx: work.transaction).keep(contract)
        work.logger.info("contract's payment terms kept", metadata: ["contract": "\(contract.contractNo)", "customer": "\(contract.customerCode)"])
    }
}
