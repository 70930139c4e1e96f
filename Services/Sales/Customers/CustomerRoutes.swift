import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Customer files (客户档案): one read or saved with its terms of sale, profile and contract prices;
/// the lists, target and partner customers apart; a customer's timeline.
struct CustomerRoutes: Sendable {
    let env: ServiceEnvironment

    struct Customer: Decodable, Sendable {
        let name: String, currency: String, allowsPriceOverride: Bool?, contractPrices: [String: Int64]?
        let profile: CustomerProfile
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            currency = try c.decode(String.self, forKey: .currency)
            allowsPriceOverride = try c.decodeIfPresent(Bool.self, forKey: .allowsPriceOverride)
            contractPrices = try c.decodeIfPresent([String: Int64].self, forKey: .contractPrices)
            profile = CustomerProfile(
                taxId: try c.decodeIfPresent(String.self, forKey: .taxId), city: try c.decodeIfPresent(String.self, forKey: .city),
                industry: try c.decodeIfPresent(String.self, forKey: .industry),
                contacts: try c.decodeIfPresent([CustomerContact].self, forKey: .contacts),
                needs: try c.decodeIfPresent(String.self, forKey: .needs), purchaseIntent: try c.decodeIfPresent(String.self, forKey: .purchaseIntent),
                source: try c.decodeIfPresent(CustomerSource.self, forKey: .source), owner: try c.decodeIfPresent(String.self, forKey: .owner),
                classification: try c.decodeIfPresent(CustomerClass.self, forKey: .classification),
                keyAccount: try c.decodeIfPresent(Bool.self, forKey: .keyAccount))
            try Validate.notBlank(name, "name")
            try Validate.currency(currency, "currency")
            try Validate.require((contractPrices ?? [:]).values.allSatisfy { $0 > 0 }, "contractPrices", "prices must be positive")
            for (field, value, max) in [("taxId", profile.taxId, 64), ("city", profile.city, 200), ("industry", profile.industry, 200),
                                        ("needs", profile.needs, 2000), ("purchaseIntent", profile.purchaseIntent, 2000), ("owner", profile.owner, 200)] {
                if let value { try Validate.notBlank(value, field, max: max) }
            }
            try Validate.require((profile.contacts ?? []).count <= 50, "contacts", "at most 50")
            for (i, contact) in (profile.contacts ?? []).enumerated() {
                try Validate.notBlank(contact.name, "contacts[\(i)].name")
                for (field, value) in [("role", contact.role), ("phone", contact.phone), ("email", contact.email)] {
                    if let value { try Validate.notBlank(value, "contacts[\(i)].\(field)") }
                }
            }
        }
        enum CodingKeys: CodingKey {
            case name, currency, allowsPriceOverride, contractPrices, taxId, city, industry, contacts, needs, purchaseIntent, source, owner
            case classification, keyAccount
        }
    }

    func add(to router: Routes) {
        let group = router.group("/customers")
        group.get(allow: .readers) { request, _ -> Page<CustomerView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let classification = query.get("classification"), stage = query.get("stage"), keyAccount = query.get("keyAccount")
            if let classification, CustomerClass(rawValue: classification) == nil {
                throw APIError(.badRequest, "invalid-field", "classification: target or partner")
            }
            if let stage, CustomerStage(rawValue: stage) == nil {
                throw APIError(.badRequest, "invalid-field", "stage: one of \(CustomerStage.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let keyAccount, keyAccount != "true" && keyAccount != "false" { throw APIError(.badRequest, "invalid-field", "keyAccount: true or false") }
            let rows = try await env.read {
                try CustomerReads(tx: $0).customers(classification: classification, owner: query.get("owner"), stage: stage,
                                                 keyAccount: keyAccount.map { $0 == "true" }, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get(":code", allow: .readers) { _, context -> CustomerView in
            let code = try context.parameters.require("code")
            guard let customer = try await env.read({ try CustomerReads(tx: $0).customer(code) }) else { throw APIError.notFound("no customer \(code)") }
            return customer
        }
        // Visits, quotes, contracts, orders, complaints and stage changes together, oldest first.
        group.get(":code/timeline", allow: .readers) { request, context -> Page<TimelineEntry> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let rows = try await env.read { tx -> [TimelineEntry]? in
                guard try CustomerFileStore(tx: tx).exists(code) else { return nil }
                return try CustomerFileStore(tx: tx).timeline(code, after: after, limit: limit + 1)
            }
            guard let rows else { throw APIError.notFound("no customer \(code)") }
            return Page(rows, limit: limit) { String($0.id) }
        }
        group.put(":code", allow: .staff) { request, context -> SalesAPI.Saved in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Customer.self, context: context)
            try await env.perform("PUT /customers/{code}") { work in
                let store = CustomerStore(tx: work.transaction), files = CustomerFileStore(tx: work.transaction)
                let new = try !files.exists(code)
                // Filed twice is the same customer twice: caught when it is registered, or renamed onto another
                // (with what is filed for the fields the body leaves out; one registration at a time).
                try files.lockRegistrations()
                let filed = try files.identity(code)
                if let other = try files.duplicate(of: code, name: body.name, taxId: body.profile.taxId ?? filed?.taxId,
                                                   city: body.profile.city ?? filed?.city) {
                    throw Refusal(.duplicateCustomer, "customer \(other) has the same tax id, or the same name in the same city")
                }
                // Contract prices and typed prices are prices below the list without a discount asked:
                // only sales' managers and director set them (keeping or taking them away is anyone's).
                let terms = try store.pricingTerms(code)
                let widens = (body.allowsPriceOverride == true && !terms.allowsPriceOverride)
                    || (body.contractPrices.map { $0 != terms.contractPrices } ?? false)
                if widens, !(work.cause.roles ?? []).contains(where: ["sales:manager", "sales:director"].contains) {
                    throw APIError(.forbidden, "forbidden", "contractPrices and allowsPriceOverride are set by sales:manager or sales:director")
                }
                try store.saveCustomer(code, name: body.name, currency: body.currency, allowsPriceOverride: body.allowsPriceOverride ?? false)
                var profile = body.profile
                // A salesperson who registers a customer owns it unless someone else is named.
                if new, profile.owner == nil, (work.cause.roles ?? []).contains(where: { $0.hasPrefix("sales:") }) { profile.owner = work.cause.actor }
                try files.saveProfile(code, profile)
                if new { try files.note(code, "registered", reference: nil, "customer file opened (\(body.name))") }
                if let prices = body.contractPrices {
                    for sku in prices.keys.sorted() where try !ProductStore(tx: work.transaction).productExists(sku) {
                        throw Refusal(.unknownSku, "contractPrices.\(sku): no such product")
                    }
                    try store.replaceContractPrices(code, prices)
                }
                try work.recordChange("customer", code, json: try store.customerSnapshot(code))
                try CustomerFiles.changed(code, work)
            }
            return SalesAPI.Saved(code: code, sku: nil, name: body.name)
        }
    }
}

extension TimelineEntry: ResponseEncodable {}
extension CustomerView: ResponseEncodable {}
