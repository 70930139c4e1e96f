import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// A customer's account (as of a day) and payment terms.
struct CustomerRoutes: Sendable {
    let env: ServiceEnvironment

    struct Terms: Decodable, Sendable {
        let kind: String, depositPercent: Int64?, netDays: Int?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind)
            depositPercent = try c.decodeIfPresent(Int64.self, forKey: .depositPercent)
            netDays = try c.decodeIfPresent(Int.self, forKey: .netDays)
            try Validate.require((netDays ?? 0) >= 0, "netDays", "must not be negative")
        }
        enum CodingKeys: CodingKey { case kind, depositPercent, netDays }
    }
    struct TermsAnswer: ResponseEncodable, Sendable { let customerCode: String; let kind: String }

    func add(to router: Routes) {
        let group = router.group("/customers/:code")
        group.get("account", allow: .readers) { request, context -> AccountView in
            let code = try context.parameters.require("code")
            var asOf = BusinessDate(Date())
            if let text = request.uri.queryParameters.get("asOf") {
                guard let day = BusinessDate(text) else { throw APIError(.badRequest, "invalid-field", "asOf: must be a date YYYY-MM-DD") }
                asOf = day
            }
            let day = asOf
            guard let account = try await env.read({ try ReceivablesReads(tx: $0).account(code, asOf: day) }) else {
                throw APIError.notFound("finance has no account for customer \(code)")
            }
            return account
        }
        // A customer's payment terms decide when goods leave: set by finance's managers and director.
        group.put("terms", allow: .managers) { request, context -> TermsAnswer in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Terms.self, context: context)
            guard PaymentTerms(kind: body.kind, depositPercent: body.depositPercent ?? 0, netDays: body.netDays ?? 0) != nil else {
                throw APIError(.badRequest, "invalid-field",
                               "kind must be prepaid, deposit (depositPercent 1-99, netDays >= 0 for the rest) or net (netDays >= 0)")
            }
            try await env.perform("PUT /customers/{code}/terms") { work in
                let store = ReceivablesStore(tx: work.transaction)
                try store.saveTerms(code, kind: body.kind, depositPercent: body.depositPercent ?? 0, netDays: body.netDays ?? 0)
                try work.recordChange("terms", code, json: try store.termsSnapshot(code))
            }
            return TermsAnswer(customerCode: code, kind: body.kind)
        }
    }
}

extension AccountView: ResponseEncodable {}
