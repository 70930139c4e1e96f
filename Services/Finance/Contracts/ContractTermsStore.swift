import Contracts
import Foundation
import Storage

/// A signed contract's payment terms and value as finance keeps them (from `sales.contract.signed`).
struct SignedContractView: Codable, Sendable {
    let contractNo: String, revision: Int64, customerCode: String, currency: String, value: Int64
    let paymentTerms: AgreedPaymentTerms, validFrom: String, validUntil: String, signedAt: Date
}

/// The statements on signed contracts, inside the work's (or the read's) transaction.
struct ContractTermsStore {
    let tx: Transaction

    /// Kept once; a redelivered signature changes nothing.
    func keep(_ contract: ContractSigned) throws {
        try tx.execute("""
            INSERT INTO contracts (contract_no, revision, customer_code, currency, value, payment_terms, valid_from, valid_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (contract_no) DO NOTHING
            """, [.text(contract.contractNo), .int(contract.revision), .text(contract.customerCode), .text(contract.currency), .int(contract.value),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.paymentTerms), as: UTF8.self)),
                  .date(contract.terms.validFrom), .date(contract.terms.validUntil)])
    }

    func contract(_ contractNo: String) throws -> SignedContractView? {
        try tx.query("""
            SELECT revision, customer_code, currency, value, payment_terms::text AS payment_terms, valid_from, valid_until, signed_at
            FROM contracts WHERE contract_no = $1
            """, [.text(contractNo)]).first.map { row in
            SignedContractView(contractNo: contractNo, revision: try row.int("revision"), customerCode: try row.string("customer_code"),
                               currency: try row.string("currency"), value: try row.int("value"), paymentTerms: try row.json("payment_terms"),
                               validFrom: try row.date("valid_from"), validUntil: try row.date("valid_until"), signedAt: try row.timestamp("signed_at"))
        }
    }
}
