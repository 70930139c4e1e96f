import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Products: the price list, and one product saved with its price tiers.
struct ProductRoutes: Sendable {
    let env: ServiceEnvironment

    struct Product: Decodable, Sendable {
        struct Tier: Decodable, Sendable { let currency: String; let minQuantity: Int64; let unitPrice: Int64 }
        let name: String, tiers: [Tier]
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            tiers = try c.decode([Tier].self, forKey: .tiers)
            try Validate.notBlank(name, "name")
            for (i, tier) in tiers.enumerated() {
                try Validate.currency(tier.currency, "tiers[\(i)].currency")
                try Validate.require(tier.minQuantity > 0, "tiers[\(i)].minQuantity", "must be positive")
                try Validate.require(tier.unitPrice > 0, "tiers[\(i)].unitPrice", "must be positive")
            }
        }
        enum CodingKeys: CodingKey { case name, tiers }
    }

    func add(to router: Routes) {
        let group = router.group("/products")
        group.get(allow: .readers) { request, _ -> Page<ProductView> in
            let (limit, after) = try PageRequest.keyed(request, max: SalesAPI.maxLimit)
            let rows = try await env.read { try ProductReads(tx: $0).products(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { $0.sku }
        }
        // The list price is the company's: staff price below it only under their discount limits.
        group.put(":sku", allow: .managers) { request, context -> SalesAPI.Saved in
            let sku = try context.parameters.require("sku")
            let body = try await request.decode(as: Product.self, context: context)
            try await env.perform("PUT /products/{sku}") { work in
                let store = ProductStore(tx: work.transaction)
                try store.saveProduct(sku, name: body.name, tiers: body.tiers.map { ($0.currency, $0.minQuantity, $0.unitPrice) })
                try work.recordChange("product", sku, json: try store.productSnapshot(sku))
            }
            return SalesAPI.Saved(code: nil, sku: sku, name: body.name)
        }
    }
}

extension ProductView: ResponseEncodable {}
