import Foundation
import Storage

/// Every statement on `contract_reviews`: the answers a department gave to contract drafts, one per revision.
struct ContractReviewStore {
    let connection: PGConnection

    init(_ connection: PGConnection) { self.connection = connection }
    init(tx: Transaction) { connection = tx.connection }

    /// Keeps the answer unless one was given to this revision already; true when kept.
    func add(contractNo: String, revision: Int64, customerCode: String, outcome: String, remarks: String) throws -> Bool {
        try !connection.query("""
            INSERT INTO contract_reviews (contract_no, revision, customer_code, outcome, remarks) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT DO NOTHING RETURNING contract_no
            """, [.text(contractNo), .int(revision), .text(customerCode), .text(outcome), .text(remarks)]).isEmpty
    }

    /// The answers given to a contract, oldest revision first.
    func reviews(of contractNo: String) throws -> [GivenContractReview] {
        try connection.query("""
            SELECT revision, customer_code, outcome, remarks, reviewed_at FROM contract_reviews WHERE contract_no = $1 ORDER BY revision
            """, [.text(contractNo)]).map { row in
            GivenContractReview(revision: try row.int("revision"), customerCode: try row.string("customer_code"),
                                outcome: try row.string("outcome"), remarks: try row.string("remarks"),
                                reviewedAt: try row.timestamp("reviewed_at"))
        }
    }
}
