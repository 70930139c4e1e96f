import Contracts
import Foundation
import Storage

struct CustomerView: Codable, Sendable, Equatable {
    let code: String
    let name: String
    let currency: String
    let allowsPriceOverride: Bool
    /// Contract prices of the customer file (in `GET /customers/{code}` only).
    let contractPrices: [String: Int64]?
    /// How many orders the customer has placed (rejected ones too).
    let orders: Int64
    let taxId: String?
    let city: String?
    let industry: String?
    let contacts: [CustomerContact]
    let needs: String?
    let purchaseIntent: String?
    let source: String?
    /// The salesperson who owns the customer.
    let owner: String?
    let classification: String
    let keyAccount: Bool
    let stage: String
    let lastActivityAt: Date
    let seq: Int64
}

/// Customer files as read, inside one transaction (`ServiceEnvironment.read`).
struct CustomerReads {
    let tx: Transaction

    static let customerColumns = """
        code, name, currency, allows_price_override, (SELECT count(*) FROM orders WHERE customer_code = c.code) AS orders, tax_id, city,
        industry, contacts::text AS contacts, needs, purchase_intent, source, owner, classification, key_account, stage, last_activity_at, seq
        """

    func customer(_ code: String) throws -> CustomerView? {
        guard let row = try tx.query("SELECT \(Self.customerColumns) FROM customers c WHERE code = $1", [.text(code)]).first else { return nil }
        let prices = Dictionary(try tx.query("SELECT sku, unit_price FROM contract_prices WHERE customer_code = $1", [.text(code)])
            .map { (try $0.string("sku"), try $0.int("unit_price")) }, uniquingKeysWith: { a, _ in a })
        return try Self.customer(row, prices: prices)
    }

    /// Customer files oldest first after the cursor; target and partner customers are asked for apart.
    func customers(classification: String?, owner: String?, stage: String?, keyAccount: Bool?, after: Int64, limit: Int) throws -> [CustomerView] {
        try tx.query("""
            SELECT \(Self.customerColumns) FROM customers c
            WHERE ($1::text IS NULL OR classification = $1) AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR stage = $3)
              AND ($4::boolean IS NULL OR key_account = $4) AND seq > $5 ORDER BY seq LIMIT $6
            """, [classification.map(PGValue.text) ?? .null, owner.map(PGValue.text) ?? .null, stage.map(PGValue.text) ?? .null,
                  keyAccount.map(PGValue.bool) ?? .null, .int(after), .int(Int64(limit))]).map { try Self.customer($0, prices: nil) }
    }

    private static func customer(_ row: PGRow, prices: [String: Int64]?) throws -> CustomerView {
        CustomerView(code: try row.string("code"), name: try row.string("name"), currency: try row.string("currency"),
                     allowsPriceOverride: try row.bool("allows_price_override"), contractPrices: prices, orders: try row.int("orders"),
                     taxId: try row.optionalString("tax_id"), city: try row.optionalString("city"), industry: try row.optionalString("industry"),
                     contacts: try row.json("contacts"), needs: try row.optionalString("needs"),
                     purchaseIntent: try row.optionalString("purchase_intent"), source: try row.optionalString("source"),
                     owner: try row.optionalString("owner"), classification: try row.string("classification"),
                     keyAccount: try row.bool("key_account"), stage: try row.string("stage"),
                     lastActivityAt: try row.timestamp("last_activity_at"), seq: try row.int("seq"))
    }
}
