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
        try work.transaction.execute("""
            INSERT INTO contracts (contract_no, revision, customer_code, currency, value, payment_terms, valid_from, valid_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (contract_no) DO NOTHING
            """, [.text(contract.contractNo), .int(contract.revision), .text(contract.customerCode), .text(contract.currency), .int(contract.value),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.paymentTerms), as: UTF8.self)),
                  .date(contract.terms.validFrom), .date(contract.terms.validUntil)])
        work.logger.info("contract's payment terms kept", metadata: ["contract": "\(contract.contractNo)", "customer": "\(contract.customerCode)"])
    }
}
