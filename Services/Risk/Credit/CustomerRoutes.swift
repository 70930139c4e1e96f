import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// A customer's credit file: its profile, the hold release, its orders and credit log.
struct CustomerRoutes: Sendable {
    let env: ServiceEnvironment

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

    func add(to router: Routes) {
        let group = router.group("/customers/:code")
        group.get("credit", allow: .readers) { _, context -> CreditFileView in
            let code = try context.parameters.require("code")
            guard let file = try await env.read({ try CreditReads(tx: $0).creditFile(code) }) else {
                throw APIError.notFound("no credit profile for customer \(code)")
            }
            return file
        }
        group.put("credit", allow: .staff) { request, context -> Response in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: ProfileRequest.self, context: context)
            let outcome = try await env.perform("PUT /customers/{code}/credit") { work in
                try CreditDesk.requestProfile(code, limit: body.creditLimit, currency: body.currency, rating: body.rating, work)
            }
            switch outcome {
            case .allowed:
                return try ProfileAnswer(customerCode: code, creditLimit: body.creditLimit, rating: body.rating.rawValue)
                    .response(from: request, context: context)
            case .pending(let approval): return try ApprovalPending(approval).response()
            }
        }
        group.post("release-hold", allow: .staff) { request, context -> Response in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: RiskAPI.DecisionRequest.self, context: context)
            let outcome = try await env.perform("POST /customers/{code}/release-hold") { work in
                try CreditDesk.requestCustomerRelease(code, note: body.note, work)
            }
            switch outcome {
            case .allowed: return try HoldLifted(customerCode: code, onHold: false).response(from: request, context: context)
            case .pending(let approval): return try ApprovalPending(approval).response()
            }
        }
        group.get("orders", allow: .readers) { request, context -> Page<RiskOrderView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: RiskAPI.maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).orders(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get("credit-log", allow: .readers) { request, context -> Page<CreditLogView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: RiskAPI.maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).log(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
    }
}

extension CreditFileView: ResponseEncodable {}
extension RiskOrderView: ResponseEncodable {}
extension CreditLogView: ResponseEncodable {}
