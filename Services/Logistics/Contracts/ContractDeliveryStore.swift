import Contracts
import Foundation
import Storage

/// A signed contract's delivery terms and volumes as logistics keeps them (from `sales.contract.signed`).
struct SignedContractView: Codable, Sendable {
    let contractNo: String, revision: Int64, customerCode: String, delivery: DeliveryTerms, lines: [ContractLine]
    let validFrom: String, validUntil: String, signedAt: Date
}

/// The statements on contracts, inside the work's (or the read's) transaction.
struct ContractDeliveryStore {
    let tx: Transaction

    /// What is on hand and not reserved of each SKU, in every warehouse.
    func available(_ skus: [String]) throws -> [String: Int64] {
        var available: [String: Int64] = [:]
        for row in try tx.query("""
            SELECT sku, sum(on_hand - reserved)::bigint AS available FROM stock WHERE sku = ANY($1::text[]) GROUP BY sku
            """, [.textArray(skus)]) {
            available[try row.string("sku")] = try row.int("available")
        }
        return available
    }

    /// Kept once; a redelivered signature changes nothing.
    func keep(_ contract: ContractSigned) throws {
        try tx.execute("""
            INSERT INTO contracts (contract_no, revision, customer_code, delivery, lines, valid_from, valid_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contract_no) DO NOTHING
            """, [.text(contract.contractNo), .int(contract.revision), .text(contract.customerCode),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.delivery), as: UTF8.self)),
                  .json(String(decoding: try JSONEncoder.contracts.encode(contract.terms.lines), as: UTF8.self)),
                  .date(contract.terms.validFrom), .date(contract.terms.validUntil)])
    }

    func contract(_ contractNo: String) throws -> SignedContractView? {
        try tx.query("""
            SELECT revision, customer_code, delivery::text AS delivery, lines::text AS lines, valid_from, valid_until, signed_at
            FROM contracts WHERE contract_no = $1
            """, [.text(contractNo)]).first.map { row in
            SignedContractView(contractNo: contractNo, revision: try row.int("revision"), customerCode: try row.string("customer_code"),
                               delivery: try row.json("delivery"), lines: try row.json("lines"), validFrom: try row.date("valid_from"),
                               validUntil: try row.date("valid_until"), signedAt: try row.timestamp("signed_at"))
        }
    }
}
