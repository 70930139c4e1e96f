import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Sales over HTTP: orders with their whole history, cancelling, and the master data
/// (customers, products, price list, contract prices) a salesperson keeps.
enum SalesAPI {
    struct Cancel: Decodable, Sendable { let reason: String? }
    struct Customer: Decodable, Sendable {
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

    struct Cancelling: ResponseEncodable, Sendable { let orderRef: String; let status: String; let note: String }
    struct Saved: ResponseEncodable, Sendable { let code: String?; let sku: String?; let name: String }
    static let maxLimit = 500

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        // Every order under that reference (rejected attempts too), oldest first, each with its history.
        router.get("/orders/:ref") { _, context -> [SalesOrderView] in
            let ref = try context.parameters.require("ref")
            let orders = try await env.read { try SalesReads(tx: $0).orders(ref: ref) }
            guard !orders.isEmpty else { throw APIError.notFound("no order \(ref)") }
            return orders
        }
        router.get("/orders") { request, _ -> Page<SalesOrderView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let status = query.get("status"), customer = query.get("customer")
            if let status, OrderStatus(rawValue: status) == nil {
                throw APIError(.badRequest, "invalid-field", "status: must be one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await env.read { try SalesReads(tx: $0).orders(status: status, customer: customer, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.post("/orders/:ref/cancel") { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Cancel.self, context: context)
            let outcome = try await env.perform("POST /orders/{orderRef}/cancel", correlationId: ref) { work in
                try OrderTracking.cancel(ref, reason: body.reason ?? "cancelled by sales", work)
            }
            switch outcome {
            case .cancelled(let event): return try event.response(from: request, context: context)
            case .pending(let message):
                var response = try Cancelling(orderRef: ref, status: "cancelling", note: message).response(from: request, context: context)
                response.status = .accepted
                return response
            case .requested(let asked):
                var response = try Cancelling(orderRef: asked.orderRef, status: "cancelling",
                                              note: "the warehouse releases the stock first; the order is cancelled when it has")
                    .response(from: request, context: context)
                response.status = .accepted
                return response
            case .refused(let refusal): throw APIError(refusal.reasonCode == .unknownOrder ? .notFound : .conflict,
                                                       refusal.reasonCode.rawValue, refusal.message)
            }
        }
        router.get("/customers/:code") { _, context -> CustomerView in
            let code = try context.parameters.require("code")
            guard let customer = try await env.read({ try SalesReads(tx: $0).customer(code) }) else { throw APIError.notFound("no customer \(code)") }
            return customer
        }
        router.put("/customers/:code") { request, context -> Saved in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Customer.self, context: context)
            try await env.perform("PUT /customers/{code}") { work in
                let store = SalesStore(tx: work.transaction)
                try store.saveCustomer(code, name: body.name, currency: body.currency, allowsPriceOverride: body.allowsPriceOverride ?? false)
                guard let prices = body.contractPrices else { return }
                for sku in prices.keys.sorted() where try !store.productExists(sku) {
                    throw Refusal(.unknownSku, "contractPrices.\(sku): no such product")
                }
                try store.replaceContractPrices(code, prices)
            }
            return Saved(code: code, sku: nil, name: body.name)
        }
        router.get("/products") { request, _ -> Page<ProductView> in
            let (limit, after) = try PageRequest.keyed(request, max: maxLimit)
            let rows = try await env.read { try SalesReads(tx: $0).products(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { $0.sku }
        }
        router.put("/products/:sku") { request, context -> Saved in
            let sku = try context.parameters.require("sku")
            let body = try await request.decode(as: Product.self, context: context)
            try await env.perform("PUT /products/{sku}") { work in
                try SalesStore(tx: work.transaction).saveProduct(sku, name: body.name,
                                                                 tiers: body.tiers.map { ($0.currency, $0.minQuantity, $0.unitPrice) })
            }
            return Saved(code: nil, sku: sku, name: body.name)
        }
    }
}

extension SalesOrderView: ResponseEncodable {}
extension CustomerView: ResponseEncodable {}
extension ProductView: ResponseEncodable {}
extension OrderCancelled: ResponseEncodable {}
