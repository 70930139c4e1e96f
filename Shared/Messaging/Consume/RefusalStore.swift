import Contracts
import Foundation
import Storage

/// Every statement on a service's `refusals` table: the refusal log (who sent what, when, and why
/// it was refused), written by the consumer and the HTTP API, read by `GET /refusals` and `bizctl`.
public struct RefusalStore {
    let connection: PGConnection

    public init(_ connection: PGConnection) { self.connection = connection }
    public init(tx: Transaction) { connection = tx.connection }

    /// A refused message.
    func add(_ refusal: Refusal, of cause: Cause, routingKey: String, waited: Double) throws {
        try connection.execute("""
            INSERT INTO refusals (message_id, message_type, routing_key, source, actor, correlation_id, reason_code, message,
                                  waited_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [.text(cause.id), .text(cause.type), .text(routingKey), .text(cause.source),
                  cause.actor.map(PGValue.text) ?? .null, cause.correlationId.map(PGValue.text) ?? .null,
                  .text(refusal.code.rawValue), .text(refusal.message), .int(Int64(waited * 1000))])
    }

    /// A person's request refused over HTTP (`request` is its route, `POST /orders`).
    func add(_ refusal: Refusal, request: String, actor: String?, correlationId: String?) throws {
        try connection.execute("""
            INSERT INTO refusals (message_id, message_type, routing_key, source, actor, correlation_id, reason_code, message)
            VALUES (gen_random_uuid(), $1, $1, 'http', $2, $3, $4, $5)
            """, [.text(request), actor.map(PGValue.text) ?? .null, correlationId.map(PGValue.text) ?? .null,
                  .text(refusal.code.rawValue), .text(refusal.message)])
    }

    /// One record of the log.
    public struct Entry: Codable, Sendable {
        public let id: Int64
        public let messageId: String
        public let messageType: String
        public let routingKey: String
        public let source: String
        public let actor: String?
        public let correlationId: String?
        public let reasonCode: String
        public let message: String
        public let waitedSeconds: Double
        public let refusedAt: Date
    }

    /// The log oldest first after `after`, of one reason or correlation if asked.
    public func entries(reason: String?, correlationId: String?, after: Int64, limit: Int) throws -> [Entry] {
        try connection.query("""
            SELECT id, message_id::text AS message_id, message_type, routing_key, source, actor, correlation_id, reason_code,
                   message, waited_ms, refused_at
            FROM refusals
            WHERE id > $1 AND ($2::text IS NULL OR reason_code = $2) AND ($3::text IS NULL OR correlation_id = $3)
            ORDER BY id LIMIT $4
            """, [.int(after), reason.map(PGValue.text) ?? .null, correlationId.map(PGValue.text) ?? .null, .int(Int64(limit))]).map { row in
            Entry(id: try row.int("id"), messageId: try row.string("message_id"), messageType: try row.string("message_type"),
                  routingKey: try row.string("routing_key"), source: try row.string("source"),
                  actor: try row.optionalString("actor"), correlationId: try row.optionalString("correlation_id"),
                  reasonCode: try row.string("reason_code"), message: try row.string("message"),
                  waitedSeconds: Double(try row.int("waited_ms")) / 1000, refusedAt: try row.timestamp("refused_at"))
        }
    }

    /// The ids of the messages of one correlation that were refused.
    public func messageIds(correlationId: String) throws -> Set<String> {
        Set(try connection.query("SELECT message_id::text AS id FROM refusals WHERE correlation_id = $1", [.text(correlationId)])
            .map { try $0.string("id") })
    }

    /// Records older than `seconds`, deleted; how many.
    func prune(olderThan seconds: Int) throws -> Int {
        try connection.execute("DELETE FROM refusals WHERE refused_at < now() - make_interval(secs => $1)", [.int(Int64(seconds))]).affectedRows
    }
}
