import Foundation
import Storage

/// Every statement on a service's `outbox` table: what the writer adds, what the relay claims and
/// marks sent, what a repeated command's answers are copied from, and what the gauges and
/// `bizctl` read. On a connection the caller holds (the relay keeps its transaction open while
/// it publishes) or a transaction's.
public struct OutboxStore {
    let connection: PGConnection

    public init(_ connection: PGConnection) { self.connection = connection }
    public init(tx: Transaction) { connection = tx.connection }

    /// A row claimed for publishing.
    public struct Claimed: Sendable { public let id: String; public let message: OutgoingMessage }

    /// Ids are random, except for events whose id is derived from the fact they state (a
    /// refusal): a row with an id already in the outbox is that fact again, and is skipped.
    func insert(_ rows: [OutgoingMessage]) throws {
        func column(_ value: (OutgoingMessage) -> String) -> PGValue { .textArray(rows.map(value)) }
        try connection.execute("""
            INSERT INTO outbox (message_id, exchange, routing_key, message_type, app_id, correlation_id,
                                reply_to, headers, body, occurred_at)
            SELECT m::uuid, e, r, t, a, NULLIF(c, ''), NULLIF(rt, ''), h::jsonb, b, o::timestamptz
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                        $8::text[], $9::text[], $10::text[]) AS u(m, e, r, t, a, c, rt, h, b, o)
            ON CONFLICT (message_id) DO NOTHING
            """, [
                column { $0.properties.messageId ?? UUID().uuidString },
                column(\.exchange), column(\.routingKey),
                column { $0.properties.type ?? "" }, column { $0.properties.appId ?? "" },
                column { $0.properties.correlationId ?? "" }, column { $0.properties.replyTo ?? "" },
                column { HeaderCodec.encode($0.properties.headers) },
                column { String(decoding: $0.body, as: UTF8.self) },
                column { ($0.properties.timestamp ?? Date()).formatted(.iso8601) },
            ])
    }

    /// The answers a command caused, queued again for `replyTo` with new ids and `x-replayed`; how many.
    func copyAnswers(causedBy messageId: String, to replyTo: String) throws -> Int {
        try connection.execute("""
            INSERT INTO outbox (message_id, exchange, routing_key, message_type, app_id, correlation_id, headers, body, occurred_at)
            SELECT gen_random_uuid(), exchange, $2, message_type, app_id, correlation_id,
                   headers || '{"x-replayed": true}'::jsonb, body, now()
            FROM outbox WHERE exchange = $3 AND headers->>'causation_id' = $1 AND NOT headers ? 'x-replayed'
            ORDER BY id
            """, [.text(messageId), .text(replyTo), .text(Topology.replies)]).affectedRows
    }

    /// The oldest unsent rows, locked for this transaction (replicas skip each other's).
    func claim(limit: Int) throws -> [Claimed] {
        try connection.query("""
            SELECT id, message_id, exchange, routing_key, message_type, app_id, correlation_id, reply_to,
                   headers::text AS headers, body, occurred_at
            FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
            """, [.int(Int64(limit))]).map { row in
            Claimed(id: try row.string("id"), message: OutgoingMessage(
                exchange: try row.string("exchange"), routingKey: try row.string("routing_key"),
                properties: MessageProperties(
                    messageId: try row.string("message_id"), type: try row.string("message_type"),
                    appId: try row.string("app_id"), timestamp: try row.timestamp("occurred_at"),
                    correlationId: try row.optionalString("correlation_id"), replyTo: try row.optionalString("reply_to"),
                    headers: HeaderCodec.decode(try row.string("headers"))),
                body: Data(try row.string("body").utf8)))
        }
    }

    /// Rows published (or returned as unroutable, with the broker's reason kept on the row).
    func markSent(_ ids: [String], notes: [(id: String, note: String)]) throws {
        try connection.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", [.textArray(ids)])
        guard !notes.isEmpty else { return }
        try connection.execute("""
            UPDATE outbox SET publish_note = u.note FROM unnest($1::bigint[], $2::text[]) AS u(id, note)
            WHERE outbox.id = u.id
            """, [.textArray(notes.map(\.id)), .textArray(notes.map(\.note))])
    }

    /// The message types among the latest rows (at most 100,000).
    func recentTypes() throws -> [String] {
        try connection.query("""
            SELECT DISTINCT message_type FROM (SELECT message_type FROM outbox ORDER BY id DESC LIMIT 100000) AS recent
            """).map { try $0.string("message_type") }
    }

    /// Sent rows older than `seconds`, deleted; how many.
    func pruneSent(olderThan seconds: Int) throws -> Int {
        try connection.execute("DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", [.int(Int64(seconds))]).affectedRows
    }

    /// What waits to be published: the unsent rows, the oldest one's age, the last row sent.
    public struct Backlog: Sendable { public let unsent: Int64; public let oldestSeconds: Double?; public let lastSentAt: Date? }

    public func backlog() throws -> Backlog {
        let row = try connection.query("""
            SELECT (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent,
                   (SELECT (EXTRACT(EPOCH FROM now() - min(created_at)) * 1000)::bigint FROM outbox WHERE sent_at IS NULL) AS oldest_ms,
                   (SELECT max(sent_at) FROM outbox WHERE sent_at IS NOT NULL) AS last_sent
            """).first!
        return Backlog(unsent: try row.int("unsent"), oldestSeconds: try row.optionalInt("oldest_ms").map { Double($0) / 1000 },
                       lastSentAt: try row.optionalTimestamp("last_sent"))
    }

    /// Unsent rows of one correlation (an order's flow).
    public func unsent(correlationId: String) throws -> Int64 {
        try connection.query("SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND correlation_id = $1",
                             [.text(correlationId)]).first?.int("n") ?? 0
    }

    /// A message sent on an exchange.
    public struct Sent: Sendable { public let messageId: String, type: String, routingKey: String, sentAt: String }

    /// What one correlation published on an exchange within `days`, newest first (at most 100).
    public func sent(correlationId: String, exchange: String, withinDays days: Int) throws -> [Sent] {
        try connection.query("""
            SELECT message_id::text AS message_id, message_type, routing_key,
                   to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS sent
            FROM outbox WHERE correlation_id = $1 AND sent_at IS NOT NULL AND exchange = $2
              AND sent_at > now() - make_interval(days => $3)
            ORDER BY outbox.id DESC LIMIT 100
            """, [.text(correlationId), .text(exchange), .int(Int64(days))]).map {
            Sent(messageId: try $0.string("message_id"), type: try $0.string("message_type"), routingKey: try $0.string("routing_key"),
                 sentAt: try $0.string("sent"))
        }
    }
}
