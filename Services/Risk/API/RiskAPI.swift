import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// The credit desk over HTTP: credit files, holds, and the authorised release of a hold.
enum RiskAPI {
    struct Decision: Decodable { let authorisedBy: String; let note: String? }
    struct Profile: Decodable {
        let creditLimit: Int64, currency: String, rating: String
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            creditLimit = try c.decode(Int64.self, forKey: .creditLimit)
            currency = try c.decode(String.self, forKey: .currency)
            rating = try c.decode(String.self, forKey: .rating)
            try Validate.require(creditLimit >= 0, "creditLimit", "must not be negative")
            try Validate.currency(currency, "currency")
            try Validate.oneOf(rating, Rating.allCases.map(\.rawValue), "rating")
        }
        enum CodingKeys: CodingKey { case creditLimit, currency, rating }
    }

    static func add(_ router: Router<BasicRequestContext>, _ env: ServiceEnvironment) {
        router.get("/customers/:code/credit") { _, context in
            let code = try context.parameters.require("code")
            return try await HTTPJSON.one(env.pool, """
                SELECT p.customer_code AS "customerCode", p.credit_limit AS "creditLimit", p.currency, p.rating,
                       p.on_hold AS "onHold", p.hold_reason AS "holdReason",
                       (\(CreditDesk.exposureSQL.replacingOccurrences(of: "$2", with: "''"))) AS exposure,
                       (SELECT COALESCE(json_agg(o ORDER BY o.created_at), '[]') FROM (SELECT order_ref AS "orderRef", total, status,
                            reason_code AS "reasonCode", decided_by AS "decidedBy", created_at FROM orders
                            WHERE customer_code = $1) o) AS orders,
                       (SELECT COALESCE(json_agg(i), '[]') FROM (SELECT invoice_number AS "invoiceNumber", order_ref AS "orderRef",
                            amount, outstanding, overdue FROM invoices WHERE customer_code = $1 AND outstanding > 0) i) AS "openInvoices",
                       (SELECT COALESCE(json_agg(l ORDER BY l.id), '[]') FROM (SELECT id, order_ref AS "orderRef", action, detail,
                            exposure, by_whom AS "by", at FROM credit_log WHERE customer_code = $1) l) AS log
                FROM credit_profiles p WHERE p.customer_code = $1
                """, [.text(code)], notFound: "no credit profile for customer \(code)")
        }
        router.put("/customers/:code/credit") { request, context in
            let code = try context.parameters.require("code")
            let body = try await HTTPJSON.decode(Profile.self, request)
            try await env.perform { work in
                try work.transaction.execute("""
                    INSERT INTO credit_profiles (customer_code, credit_limit, currency, rating) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (customer_code) DO UPDATE SET credit_limit = $2, currency = $3, rating = $4, updated_at = now()
                    """, [.text(code), .int(body.creditLimit), .text(body.currency), .text(body.rating)])
                try CreditDesk.log(code, nil, "profile set", "limit \(body.creditLimit) \(body.currency), rating \(body.rating)",
                                   exposure: nil, by: nil, work.transaction)
            }
            return try HTTPJSON.object(["customerCode": code, "creditLimit": body.creditLimit, "rating": body.rating])
        }
        router.post("/customers/:code/release-hold") { request, context in
            let code = try context.parameters.require("code")
            let body = try await HTTPJSON.decode(Decision.self, request)
            try await env.perform { work in try CreditDesk.releaseCustomer(code, by: body.authorisedBy, note: body.note, work) }
            return try HTTPJSON.object(["customerCode": code, "onHold": false])
        }
        router.get("/holds") { _, _ in
            try await HTTPJSON.list(env.pool, """
                SELECT order_ref AS "orderRef", customer_code AS "customerCode", total, currency, reason_code AS "reasonCode",
                       created_at AS "heldAt" FROM orders WHERE status = 'held' ORDER BY created_at
                """)
        }
        router.get("/orders/:ref") { _, context in
            let ref = try context.parameters.require("ref")
            return try await HTTPJSON.one(env.pool, """
                SELECT order_ref AS "orderRef", customer_code AS "customerCode", total, currency, status,
                       reason_code AS "reasonCode", decided_by AS "decidedBy" FROM orders WHERE order_ref = $1
                """, [.text(ref)], notFound: "risk has no order \(ref)")
        }
        for (path, release) in [("release", true), ("reject", false)] {
            router.post("/orders/:ref/\(path)") { request, context in
                let ref = try context.parameters.require("ref")
                let body = try await HTTPJSON.decode(Decision.self, request)
                try await env.perform { work in
                    try CreditDesk.decideHold(ref, release: release, by: body.authorisedBy, note: body.note, work)
                }
                return try HTTPJSON.object(["orderRef": ref, "status": release ? "approved" : "rejected", "decidedBy": body.authorisedBy])
            }
        }
    }
}
