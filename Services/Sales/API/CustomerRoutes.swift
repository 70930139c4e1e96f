import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Customers: read one, or save one with its currency, override right and contract prices.
struct CustomerRoutes: Sendable {
    let env: ServiceEnvironment

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

    func add(to router: Router<ServiceRequestContext>) {
        let group = router.group("/customers")
        group.get(":code") { _, context -> CustomerView in
            let code = try context.parameters.require("code")
            guard let customer = try await env.read({ try SalesReads(tx: $0).customer(code) }) else { throw APIError.notFound("no customer \(code)") }
            return customer
        }
        group.put(":code") { request, context -> SalesAPI.Saved in
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
            return SalesAPI.Saved(code: code, sku: nil, name: body.name)
        }
    }
}
