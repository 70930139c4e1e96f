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
        var available: [String: Int64] = [:]
        for row in try work.transaction.query("""
            SELECT sku, sum(on_hand - reserved)::bigint AS available FROM stock WHERE sku = ANY($1::text[]) GROUP BY sku
            """, [.textArray(skus)]) {
            available[try row.string("sku")] = try row.int("available")
        }
        let verdict = DeliveryReview.review(leadTimeDays: draft.terms.delivery.leadTimeDays,
                                            lines: draft.terms.lines.map { ($0.sku, $0.quantity) }, available: available)
        try ContractReviewAnswer.give(LogisticsContractReviewed.self, to: draft, approved: verdict.approved, remarks: verdict.remarks, work)
    }

    static func signed(_ contract: ContractSigned, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO contracts (contract_no, revision, customer_code, delivery, lines, valid_from, valid_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contract_no) DO NOTHING
            """, [.text(contract.contractNo), .int(contract.revision), .text(contract.customerCode),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.delivery), as: UTF8.self)),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.lines), as: UTF8.self)),
                  .date(contract.terms.validFrom), .date(contract.terms.validUntil)])
        work.logger.info("contract's delivery terms kept", metadata: ["contract": "\(contract.contractNo)", "customer": "\(contract.customerCode)"])
    }
}
