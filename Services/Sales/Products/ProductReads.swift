import Contracts
import Foundation
import Storage

struct ProductView: Codable, Sendable, Equatable {
    struct Tier: Codable, Sendable, Equatable { let currency: String; let minQuantity: Int64; let unitPrice: Int64 }
    let sku: String
    let name: String
    let tiers: [Tier]
}

/// The products with their price list, inside one transaction (`ServiceEnvironment.read`).
struct ProductReads {
    let tx: Transaction

    func products(after: String, limit: Int) throws -> [ProductView] {
        let products = try tx.query("SELECT sku, name FROM products WHERE sku > $1 ORDER BY sku LIMIT $2", [.text(after), .int(Int64(limit))])
        let skus = try products.map { try $0.string("sku") }
        var tiers: [String: [ProductView.Tier]] = [:]
        for t in try tx.query("SELECT sku, currency, min_quantity, unit_price FROM price_tiers WHERE sku = ANY($1::text[]) ORDER BY sku, currency, min_quantity",
                              [.textArray(skus)]) {
            tiers[try t.string("sku"), default: []].append(.init(currency: try t.string("currency"), minQuantity: try t.int("min_quantity"),
                                                                unitPrice: try t.int("unit_price")))
        }
        return try products.map { ProductView(sku: try $0.string("sku"), name: try $0.string("name"), tiers: tiers[try $0.string("sku")] ?? []) }
    }
}
