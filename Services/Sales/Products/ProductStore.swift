import Contracts
import Foundation
import Messaging
import SalesDomain
import Storage

/// The products and their price list (quantity tiers per currency), inside the work's transaction.
struct ProductStore {
    let tx: Transaction

    func priceList(skus: [String], currency: String) throws -> [String: [PriceTier]] {
        var list: [String: [PriceTier]] = [:]
        for row in try tx.query("SELECT sku, min_quantity, unit_price FROM price_tiers WHERE sku = ANY($1::text[]) AND currency = $2",
                                [.textArray(skus), .text(currency)]) {
            list[try row.string("sku"), default: []].append(PriceTier(minQuantity: try row.int("min_quantity"), unitPrice: try row.int("unit_price")))
        }
        return list
    }

    /// A product and its price tiers as saved, as JSON: what the change log keeps.
    func productSnapshot(_ sku: String) throws -> String {
        try tx.query("""
            SELECT jsonb_build_object('sku', p.sku, 'name', p.name, 'tiers', COALESCE((
                SELECT jsonb_agg(jsonb_build_object('currency', t.currency, 'minQuantity', t.min_quantity, 'unitPrice', t.unit_price)
                                 ORDER BY t.currency, t.min_quantity) FROM price_tiers t WHERE t.sku = p.sku), '[]'::jsonb))::text AS change
            FROM products p WHERE p.sku = $1
            """, [.text(sku)]).first!.string("change")
    }

    func productExists(_ sku: String) throws -> Bool {
        try !tx.query("SELECT 1 FROM products WHERE sku = $1", [.text(sku)]).isEmpty
    }

    /// The product and its quantity tiers, replaced whole.
    func saveProduct(_ sku: String, name: String, tiers: [(currency: String, minQuantity: Int64, unitPrice: Int64)]) throws {
        try tx.execute("INSERT INTO products (sku, name) VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET name = $2", [.text(sku), .text(name)])
        try tx.execute("DELETE FROM price_tiers WHERE sku = $1", [.text(sku)])
        for tier in tiers {
            try tx.execute("INSERT INTO price_tiers (sku, currency, min_quantity, unit_price) VALUES ($1, $2, $3, $4)",
                           [.text(sku), .text(tier.currency), .int(tier.minQuantity), .int(tier.unitPrice)])
        }
    }
}
