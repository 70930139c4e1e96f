import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The service desk over HTTP: open and resolve complaints, see cases, do the revisits.
enum CustomerServiceAPI {
    struct Resolve: Decodable {
        let resolution: String, note: String?, lines: [ItemQuantity]?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resolution = try c.decode(String.self, forKey: .resolution)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            lines = try c.decodeIfPresent([ItemQuantity].self, forKey: .lines)
            try Validate.oneOf(resolution, ComplaintPolicy.resolutions, "resolution")
            try Validate.require(resolution != "return" || !(lines ?? []).isEmpty, "lines", "a return needs the lines that come back")
        }
        enum CodingKeys: CodingKey { case resolution, note, lines }
    }
    struct Revisit: Decodable {
        let satisfaction: Int, note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            satisfaction = try c.decode(Int.self, forKey: .satisfaction)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.require((1...5).contains(satisfaction), "satisfaction", "must be 1 to 5")
        }
        enum CodingKeys: CodingKey { case satisfaction, note }
    }

    static let caseColumns = """
        c.id AS "caseId", c.number AS "caseNumber", c.channel, c.order_ref AS "orderRef", c.customer_code AS "customerCode",
        c.category, c.description, c.contact, c.routed_to AS "routedTo", c.status, c.deadline, c.resolution,
        c.resolution_note AS "resolutionNote", c.return_id AS "returnId", c.opened_at AS "openedAt", c.resolved_at AS "resolvedAt",
        (c.status <> 'resolved' AND c.deadline < now()) AS "pastDeadline", c.escalated_at AS "escalatedAt"
        """

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.post("/complaints") { request, _ in
            let complaint = try await HTTPJSON.decode(OpenComplaint.self, request)
            let event = try await env.perform(correlationId: complaint.orderRef) { work in
                try Cases.open(complaint, openedAt: Date(), work)
            }
            return try HTTPJSON.encodable(event, status: .created)
        }
        router.get("/complaints") { request, _ in
            let status = request.uri.queryParameters["status"].map(String.init)
            let order = request.uri.queryParameters["order"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT \(caseColumns) FROM cases c WHERE ($1::text IS NULL OR c.status = $1) AND ($2::text IS NULL OR c.order_ref = $2)
                ORDER BY c.deadline LIMIT 1000
                """, [status.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null])
        }
        router.get("/complaints/:number") { _, context in
            let number = try context.parameters.require("number")
            return try await HTTPJSON.one(env.pool, """
                SELECT \(caseColumns), (SELECT COALESCE(json_agg(l ORDER BY l.id), '[]') FROM (SELECT id, entry, at FROM case_log
                        WHERE case_id = c.id) l) AS log
                FROM cases c WHERE c.number = $1
                """, [.text(number)], notFound: "no case \(number)")
        }
        router.post("/complaints/:number/resolve") { request, context in
            let number = try context.parameters.require("number")
            let body = try await HTTPJSON.decode(Resolve.self, request)
            let status = try await env.perform { work in
                try Cases.resolve(number, resolution: body.resolution, note: body.note, lines: body.lines ?? [], work)
            }
            return try HTTPJSON.object(["caseNumber": number, "status": status])
        }
        // The escalation the service runs every few minutes, on demand and "as of" a time.
        router.post("/complaints/escalations/run") { request, _ in
            struct Run: Decodable { let asOf: String? }
            let body = try await HTTPJSON.decode(Run.self, request)
            let asOf = try body.asOf.map { text -> Date in
                guard let date = Validate.parseTimestamp(text) else {
                    throw APIError(.badRequest, "invalid-field", "asOf: must be an ISO 8601 date-time")
                }
                return date
            } ?? Date()
            let escalated = try await env.perform { work in try Cases.escalate(asOf: asOf, work) }
            return try HTTPJSON.encodable(["escalated": escalated])
        }
        router.get("/revisits") { request, _ in
            let status = request.uri.queryParameters["status"].map(String.init)
            let order = request.uri.queryParameters["order"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT order_ref AS "orderRef", customer_code AS "customerCode", due_on AS "dueOn", status, satisfaction, note,
                       done_at AS "doneAt" FROM revisits WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR order_ref = $2)
                ORDER BY due_on LIMIT 1000
                """, [status.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null])
        }
        router.post("/revisits/:ref/complete") { request, context in
            let ref = try context.parameters.require("ref")
            let body = try await HTTPJSON.decode(Revisit.self, request)
            try await env.perform { work in
                let done = try work.transaction.query("""
                    UPDATE revisits SET status = 'done', satisfaction = $2, note = $3, done_at = now()
                    WHERE order_ref = $1 AND status = 'due' RETURNING order_ref
                    """, [.text(ref), .int(Int64(body.satisfaction)), body.note.map(PGValue.text) ?? .null])
                if done.isEmpty { throw Refusal(.notFound, "no revisit due for order \(ref)") }
            }
            return try HTTPJSON.object(["orderRef": ref, "status": "done"])
        }
        router.get("/customers/:code") { _, context in
            let code = try context.parameters.require("code")
            return try await HTTPJSON.one(env.pool, """
                SELECT $1::text AS "customerCode",
                       (SELECT COALESCE(json_agg(o ORDER BY o."orderRef"), '[]') FROM (SELECT order_ref AS "orderRef", lines,
                            delivered_on AS "deliveredOn", signed_by AS "signedBy" FROM orders WHERE customer_code = $1) o) AS purchases,
                       (SELECT COALESCE(json_agg(c ORDER BY c."openedAt"), '[]') FROM (SELECT \(caseColumns) FROM cases c
                            WHERE c.customer_code = $1) c) AS cases,
                       (SELECT COALESCE(json_agg(r ORDER BY r."dueOn"), '[]') FROM (SELECT order_ref AS "orderRef", due_on AS "dueOn",
                            status, satisfaction FROM revisits WHERE customer_code = $1) r) AS revisits
                WHERE EXISTS (SELECT 1 FROM orders WHERE customer_code = $1) OR EXISTS (SELECT 1 FROM cases WHERE customer_code = $1)
                """, [.text(code)], notFound: "customer service knows no customer \(code)")
        }
    }
}
