import Foundation
import Hummingbird
import Messaging
import Storage

/// `GET /refusals`: the service's refusal log, oldest first, a page at a time.
enum RefusalRoutes {
    static let maxLimit = 1000

    static func add(to router: Routes, _ env: ServiceEnvironment) {
        router.get("/refusals", allow: .readers) { request, _ -> Page<RefusalStore.Entry> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let reason = query.get("reason"), correlationId = query.get("correlationId")
            let items = try await env.pool.run {
                try RefusalStore($0).entries(reason: reason, correlationId: correlationId, after: after, limit: limit + 1)
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

extension RefusalStore.Entry: ResponseEncodable {}
