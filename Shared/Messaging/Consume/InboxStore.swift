import Foundation
import Storage

/// Every statement on a service's `inbox` table: the ids of the messages it took, so each is
/// handled once however often it comes.
public struct InboxStore {
    let connection: PGConnection

    public init(_ connection: PGConnection) { self.connection = connection }
    public init(tx: Transaction) { connection = tx.connection }

    /// Takes the messages not taken before; answers the ids of those (the others are duplicates).
    func take(_ messages: [(id: String, type: String, source: String)]) throws -> Set<UUID> {
        Set(try connection.query("""
            INSERT INTO inbox (message_id, message_type, source)
            SELECT m::uuid, t, s FROM unnest($1::text[], $2::text[], $3::text[]) AS u(m, t, s)
            ON CONFLICT (message_id) DO NOTHING RETURNING message_id
            """, [.textArray(messages.map(\.id)), .textArray(messages.map(\.type)), .textArray(messages.map(\.source))])
            .map { try $0.uuid("message_id") })
    }

    /// Which of these message ids were taken (within the inbox's retention).
    public func taken(_ ids: [String]) throws -> Set<String> {
        Set(try connection.query("SELECT message_id::text AS id FROM inbox WHERE message_id = ANY($1::uuid[])", [.textArray(ids)])
            .map { try $0.string("id") })
    }

    /// The rows the planner counts (the inbox gauge; exact counting would read the whole table).
    public func estimatedRows() throws -> Int64 {
        try connection.query("SELECT GREATEST(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = 'inbox'::regclass").first?.int("n") ?? 0
    }

    /// Entries older than `seconds`, deleted; how many.
    func prune(olderThan seconds: Int) throws -> Int {
        try connection.execute("DELETE FROM inbox WHERE received_at < now() - make_interval(secs => $1)", [.int(Int64(seconds))]).affectedRows
    }
}
