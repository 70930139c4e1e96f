import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Sales over HTTP: orders with their whole history, cancelling, and the master data
/// (customers, products, price list, contract prices) a salesperson keeps.
enum SalesAPI {
    struct Cancel: Decodable { let reason: String? }
    struct Customer: Decodable {
        let name: String, currency: String, allowsPriceOverride: Bool?, contractPrices: [String: Int64]?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            currency = try c.decode(String.self, forKey: .currency)
            allowsPriceOverride = try c.decodeIfPresent(Bool.self, forKey: .allowsPriceOverride)
            contractPrices = try c.decodeIfPresent([String: Int64].self, forKey: .contractPrices)
            try Validate.notBlank(name, "name")
            try Validate.currency(currency, "currency")
            try Validate.require((contractPrices ?? [:]).values.allSatisfy { $0 > 0 }, "contractPrices", "prices must be positive")
        }
        enum CodingKeys: CodingKey { case name, currency, allowsPriceOverride, contractPrices }
    }
    struct Product: Decodable {
        struct Tier: Decodable { let currency: String; let minQuantity: Int64; let unitPrice: Int64 }
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

    static let orderColumns = """
        o.id AS "orderId", o.order_ref AS "orderRef", o.customer_code AS "customerCode", o.status, o.paid,
        o.currency, o.total, o.reason_code AS "reasonCode", o.lines, o.delivery_address AS "deliveryAddress",
        o.requested_delivery_date AS "requestedDeliveryDate", o.created_at AS "createdAt", o.updated_at AS "updatedAt"
        """

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        // Every order under that reference (rejected attempts too), newest last, each with its history.
        router.get("/orders/:ref") { _, context in
            let ref = try context.parameters.require("ref")
            let rows = try await env.pool.query("""
                SELECT COALESCE(json_agg(t ORDER BY t."createdAt"), '[]')::text AS j, count(*) AS n FROM (
                    SELECT \(orderColumns),
                           (SELECT COALESCE(json_agg(h ORDER BY h.id), '[]') FROM (SELECT id, status, event, detail, at
                                FROM order_history WHERE order_id = o.id) h) AS history
                    FROM orders o WHERE o.order_ref = $1) t
                """, [.text(ref)])
            guard let row = rows.first, try row.int("n") > 0 else { throw APIError.notFound("no order \(ref)") }
            return HTTPJSON.response(json: try row.string("j"))
        }
        router.get("/orders") { request, _ in
            let status = request.uri.queryParameters["status"].map(String.init)
            let customer = request.uri.queryParameters["customer"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT \(orderColumns) FROM orders o
                WHERE ($1::text IS NULL OR o.status = $1) AND ($2::text IS NULL OR o.customer_code = $2)
                ORDER BY o.created_at DESC LIMIT 500
                """, [status.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null])
        }
        router.post("/orders/:ref/cancel") { request, context in
            let ref = try context.parameters.require("ref")
            let body = try await HTTPJSON.decode(Cancel.self, request)
            let outcome = try await env.perform("POST /orders/{orderRef}/cancel", correlationId: ref) { work in
                try OrderTracking.cancel(ref, reason: body.reason ?? "cancelled by sales", work)
            }
            switch outcome {
            case .cancelled(let event): return try HTTPJSON.encodable(event)
            case .pending(let message):
                return try HTTPJSON.object(["orderRef": ref, "status": "cancelling", "note": message], status: .accepted)
            case .requested(let request):
                return try HTTPJSON.object(["orderRef": request.orderRef, "status": "cancelling",
                                            "note": "the warehouse releases the stock first; the order is cancelled when it has"],
                                           status: .accepted)
            case .refused(let refusal): throw APIError(refusal.reasonCode == .unknownOrder ? .notFound : .conflict,
                                                       refusal.reasonCode.rawValue, refusal.message)
            }
        }
        router.get("/customers/:code") { _, context in
            let code = try context.parameters.require("code")
            return try await HTTPJSON.one(env.pool, """
                SELECT c.code, c.name, c.currency, c.allows_price_override AS "allowsPriceOverride",
                       (SELECT COALESCE(json_object_agg(sku, unit_price), '{}') FROM contract_prices WHERE customer_code = c.code)
                           AS "contractPrices",
                       (SELECT count(*) FROM orders WHERE customer_code = c.code) AS orders
                FROM customers c WHERE c.code = $1
                """, [.text(code)], notFound: "no customer \(code)")
        }
        router.put("/customers/:code") { request, context in
            let code = try context.parameters.require("code")
            let body = try await HTTPJSON.decode(Customer.self, request)
            try await env.perform { work in
                let tx = work.transaction
                try tx.execute("""
                    INSERT INTO customers (code, name, currency, allows_price_override) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (code) DO UPDATE SET name = $2, currency = $3, allows_price_override = $4
                    """, [.text(code), .text(body.name), .text(body.currency), .bool(body.allowsPriceOverride ?? false)])
                guard let prices = body.contractPrices else { return }
                try tx.execute("DELETE FROM contract_prices WHERE customer_code = $1", [.text(code)])
                for (sku, price) in prices {
                    guard try !tx.query("SELECT 1 FROM products WHERE sku = $1", [.text(sku)]).isEmpty else {
                        throw Refusal(.unknownSku, "contractPrices.\(sku): no such product")
                    }
                    try tx.execute("INSERT INTO contract_prices (customer_code, sku, unit_price) VALUES ($1, $2, $3)",
                                   [.text(code), .text(sku), .int(price)])
                }
            }
            return try HTTPJSON.object(["code": code, "name": body.name])
        }
        router.get("/products") { _, _ in
            try await HTTPJSON.list(env.pool, """
                SELECT p.sku, p.name, (SELECT COALESCE(json_agg(json_build_object('currency', currency, 'minQuantity', min_quantity,
                        'unitPrice', unit_price) ORDER BY currency, min_quantity), '[]') FROM price_tiers WHERE sku = p.sku) AS tiers
                FROM products p ORDER BY p.sku
                """)
        }
        router.put("/products/:sku") { request, context in
            let sku = try context.parameters.require("sku")
            let body = try await HTTPJSON.decode(Product.self, request)
            try await env.perform { work in
                let tx = work.transaction
                try tx.execute("INSERT INTO products (sku, name) VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET name = $2",
                               [.text(sku), .text(body.name)])
                try tx.execute("DELETE FROM price_tiers WHERE sku = $1", [.text(sku)])
                for tier in body.tiers {
                    try tx.execute("INSERT INTO price_tiers (sku, currency, min_quantity, unit_price) VALUES ($1, $2, $3, $4)",
                                   [.text(sku), .text(tier.currency), .int(tier.minQuantity), .int(tier.unitPrice)])
                }
            }
            return try HTTPJSON.object(["sku": sku, "name": body.name])
        }
    }
}
