import Foundation
import Hummingbird
import Messaging
import Storage

/// `GET /refusals`: the service's refusal log, oldest first, a page at a time.
enum RefusalRoutes {
    static let maxLimit = 1000

    struct Entry: Codable, Sendable, ResponseEncodable {
        let id: Int64
        let messageId: String
        let messageType: String
        let routingKey: String
        let source: String
        let actor: String?
        let correlationId: String?
        let reasonCode: String
        let message: String
        let waitedSeconds: Double
        let refusedAt: Date
    }

    static func add(to router: Routes, _ env: ServiceEnvironment) {
        router.get("/refusals", allow: .readers) { request, _ -> Page<Entry> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.pool.query("""
                SELECT id, message_id::text AS message_id, message_type, routing_key, source, actor, correlation_id, reason_code,
                       message, waited_ms, refused_at
                FROM refusals
                WHERE id > $1 AND ($2::text IS NULL OR reason_code = $2) AND ($3::text IS NULL OR correlation_id = $3)
                ORDER BY id LIMIT $4
                """, [.int(after), query.get("reason").map(PGValue.text) ?? .null,
                      query.get("correlationId").map(PGValue.text) ?? .null, .int(Int64(limit + 1))])
            let items = try rows.map { row in
                Entry(id: try row.int("id"), messageId: try row.string("message_id"), messageType: try row.string("message_type"),
                      routingKey: try row.string("routing_key"), source: try row.string("source"),
                      actor: try row.optionalString("actor"), correlationId: try row.optionalString("correlation_id"),
                      reasonCode: try row.string("reason_code"), message: try row.string("message"),
                      waitedSeconds: Double(try row.int("waited_ms")) / 1000, refusedAt: try row.timestamp("refused_at"))
            }
            return Page(items, limit: limit) { String($0.id) }
        }
    }
}

/// The paging parameters every list takes: `limit` (bounded) and an opaque `after` cursor.
public enum PageRequest {
    /// `limit` (default 100, at most `max`) and a numeric `after` of a request's query.
    public static func numbered(_ request: Request, max: Int) throws -> (limit: Int, after: Int64) {
        let query = request.uri.queryParameters
        return (try limit(query.get("limit"), default: 100, max: max), try cursor(query.get("after")))
    }

    /// The same with a text cursor (a code or SKU that lists are ordered by).
    public static func keyed(_ request: Request, max: Int) throws -> (limit: Int, after: String) {
        let query = request.uri.queryParameters
        return (try limit(query.get("limit"), default: 100, max: max), query.get("after") ?? "")
    }

    public static func limit(_ text: String?, default fallback: Int, max: Int) throws -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...max).contains(value) else {
            throw APIError(.badRequest, "invalid-field", "limit: must be a whole number from 1 to \(max)")
        }
        return value
    }

    public static func cursor(_ text: String?) throws -> Int64 {
        guard let text else { return 0 }
        guard let value = Int64(text), value >= 0 else {
            throw APIError(.badRequest, "invalid-field", "after: must be a cursor from nextCursor")
        }
        return value
    }
}
