import Contracts
import Foundation
import Messaging
import SalesDomain
import Storage

/// A customer's terms of sale as sales changes them: its currency, whether a sender may type
/// prices, its contract prices; inside the work's transaction.
struct CustomerStore {
    let tx: Transaction

    func customerTerms(_ code: String) throws -> CustomerTerms? {
        guard let row = try tx.query("SELECT code, currency, allows_price_override FROM customers WHERE code = $1", [.text(code)]).first
        else { return nil }
        var contract: [String: Int64] = [:]
        for price in try tx.query("SELECT sku, unit_price FROM contract_prices WHERE customer_code = $1", [.text(code)]) {
            contract[try price.string("sku")] = try price.int("unit_price")
        }
        return CustomerTerms(code: try row.string("code"), currency: try row.string("currency"),
                             allowsPriceOverride: try row.bool("allows_price_override"), contractPrices: contract)
    }

    func saveCustomer(_ code: String, name: String, currency: String, allowsPriceOverride: Bool) throws {
        try tx.execute("""
            INSERT INTO customers (code, name, currency, allows_price_override) VALUES ($1, $2, $3, $4)
            ON CONFLICT (code) DO UPDATE SET name = $2, currency = $3, allows_price_override = $4
            """, [.text(code), .text(name), .text(currency), .bool(allowsPriceOverride)])
    }

    /// What a customer may be priced at beside the list: whether a sender may type prices, and its contract prices.
    func pricingTerms(_ code: String) throws -> (allowsPriceOverride: Bool, contractPrices: [String: Int64]) {
        let allows = try tx.query("SELECT allows_price_override FROM customers WHERE code = $1", [.text(code)]).first?.bool("allows_price_override") ?? false
        var prices: [String: Int64] = [:]
        for row in try tx.query("SELECT sku, unit_price FROM contract_prices WHERE customer_code = $1", [.text(code)]) {
            prices[try row.string("sku")] = try row.int("unit_price")
        }
        return (allows, prices)
    }

    /// A customer as saved (its row and contract prices), as JSON: what the change log keeps.
    func customerSnapshot(_ code: String) throws -> String {
        try tx.query("""
            SELECT (to_jsonb(c) - 'seq' || jsonb_build_object('contract_prices', COALESCE((
                SELECT jsonb_object_agg(cp.sku, cp.unit_price) FROM contract_prices cp WHERE cp.customer_code = c.code), '{}'::jsonb)))::text AS change
            FROM customers c WHERE c.code = $1
            """, [.text(code)]).first!.string("change")
    }

    /// The customer's contract prices, replaced whole.
    func replaceContractPrices(_ code: String, _ prices: [String: Int64]) throws {
        try tx.execute("DELETE FROM contract_prices WHERE customer_code = $1", [.text(code)])
        for (sku, price) in prices.sorted(by: { $0.key < $1.key }) {
            try tx.execute("INSERT INTO contract_prices (customer_code, sku, unit_price) VALUES ($1, $2, $3)",
                           [.text(code), .text(sku), .int(price)])
        }
    }
}
