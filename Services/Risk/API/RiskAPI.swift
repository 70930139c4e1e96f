import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// The credit desk over HTTP: credit files, holds and their authorised release. Codable in
/// and out; the reads come typed from the Store; every list pages.
enum RiskAPI {
    static let maxLimit = 500

    struct DecisionRequest: Decodable, Sendable { let authorisedBy: String; let note: String? }

    struct ProfileRequest: Decodable, Sendable {
        let creditLimit: Int64, currency: String, rating: Rating
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            creditLimit = try c.decode(Int64.self, forKey: .creditLimit)
            currency = try c.decode(String.self, forKey: .currency)
            let rating = try c.decode(String.self, forKey: .rating)
            try Validate.require(creditLimit >= 0, "creditLimit", "must not be negative")
            try Validate.currency(currency, "currency")
            try Validate.oneOf(rating, Rating.allCases.map(\.rawValue), "rating")
            self.rating = Rating(rawValue: rating)!
        }
        enum CodingKeys: CodingKey { case creditLimit, currency, rating }
    }

    struct ProfileAnswer: ResponseEncodable, Sendable { let customerCode: String; let creditLimit: Int64; let rating: String }
    struct HoldLifted: ResponseEncodable, Sendable { let customerCode: String; let onHold: Bool }
    struct Reviewed: ResponseEncodable, Sendable { let orderRef: String; let status: String; let decidedBy: String }

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.get("/customers/:code/credit") { _, context -> CreditFileView in
            let code = try context.parameters.require("code")
            guard let file = try await env.read({ try CreditReads(tx: $0).creditFile(code) }) else {
                throw APIError.notFound("no credit profile for customer \(code)")
            }
            return file
        }
        router.put("/customers/:code/credit") { request, context -> ProfileAnswer in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: ProfileRequest.self, context: context)
            try await env.perform("PUT /customers/{code}/credit") { work in
                try CreditDesk.setProfile(code, limit: body.creditLimit, currency: body.currency, rating: body.rating, work)
            }
            return ProfileAnswer(customerCode: code, creditLimit: body.creditLimit, rating: body.rating.rawValue)
        }
        router.post("/customers/:code/release-hold") { request, context -> HoldLifted in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: DecisionRequest.self, context: context)
            try await env.perform("POST /customers/{code}/release-hold") { work in
                try CreditDesk.releaseCustomer(code, by: body.authorisedBy, note: body.note, work)
            }
            return HoldLifted(customerCode: code, onHold: false)
        }
        router.get("/customers/:code/orders") { request, context -> Page<RiskOrderView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).orders(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.get("/customers/:code/credit-log") { request, context -> Page<CreditLogView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).log(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.get("/holds") { request, _ -> Page<RiskOrderView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).orders(status: RiskOrderStatus.held.rawValue, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.get("/orders/:ref") { _, context -> RiskOrderView in
            let ref = try context.parameters.require("ref")
            guard let order = try await env.read({ try CreditReads(tx: $0).order(ref) }) else {
                throw APIError.notFound("risk has no order \(ref)")
            }
            return order
        }
        for (path, release) in [("release", true), ("reject", false)] {
            router.post("/orders/:ref/\(path)") { request, context -> Reviewed in
                let ref = try context.parameters.require("ref")
                let body = try await request.decode(as: DecisionRequest.self, context: context)
                try await env.perform("POST /orders/{ref}/\(path)", correlationId: ref) { work in
                    try CreditDesk.review(ref, release: release, by: body.authorisedBy, note: body.note, work)
                }
                return Reviewed(orderRef: ref, status: release ? "approved" : "rejected", decidedBy: body.authorisedBy)
            }
        }
    }

}

extension CreditFileView: ResponseEncodable {}
extension RiskOrderView: ResponseEncodable {}
extension CreditLogView: ResponseEncodable {}
