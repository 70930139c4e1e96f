import Foundation
import Storage

/// Every statement on the change log: `master_changes` (who changed which master data, to what)
/// and `operator_actions` (what an operator did to the dead letters, written by `bizctl`).
public struct ChangeLogStore {
    let connection: PGConnection

    public init(_ connection: PGConnection) { self.connection = connection }
    public init(tx: Transaction) { connection = tx.connection }

    func addChange(kind: String, key: String, json: String, actor: String, correlationId: String?) throws {
        try connection.execute("""
            INSERT INTO master_changes (kind, key, change, actor, correlation_id) VALUES ($1, $2, $3::jsonb, $4, $5)
            """, [.text(kind), .text(key), .text(json), .text(actor), correlationId.map(PGValue.text) ?? .null])
    }

    func changes(kind: String?, key: String?, after: Int64, limit: Int) throws -> [ChangeLog.Entry] {
        try connection.query("""
            SELECT id, kind, key, change::text AS change, actor, correlation_id, changed_at FROM master_changes
            WHERE id > $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR key = $3)
            ORDER BY id LIMIT $4
            """, [.int(after), kind.map(PGValue.text) ?? .null, key.map(PGValue.text) ?? .null, .int(Int64(limit))]).map { row in
            ChangeLog.Entry(id: try row.int("id"), kind: try row.string("kind"), key: try row.string("key"),
                            change: try JSONDecoder().decode(JSONValue.self, from: Data(try row.string("change").utf8)),
                            actor: try row.string("actor"), correlationId: try row.optionalString("correlation_id"),
                            changedAt: try row.timestamp("changed_at"))
        }
    }

    /// An operator's action on a queue's letters (`detail` as a JSON object).
    public func addOperatorAction(_ action: String, operatorName: String, queue: String, messageIds: [String], filter: String?,
                                  detailJSON: String) throws {
        try connection.execute("""
            INSERT INTO operator_actions (action, operator, queue, message_ids, filter, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
            """, [.text(action), .text(operatorName), .text(queue), .textArray(messageIds), filter.map(PGValue.text) ?? .null, .text(detailJSON)])
    }

    func operatorActions(after: Int64, limit: Int) throws -> [ChangeLog.OperatorAction] {
        try connection.query("""
            SELECT id, action, operator, queue, array_to_json(message_ids)::text AS message_ids, filter, detail::text AS detail, db_user, at
            FROM operator_actions WHERE id > $1 ORDER BY id LIMIT $2
            """, [.int(after), .int(Int64(limit))]).map { row in
            ChangeLog.OperatorAction(id: try row.int("id"), action: try row.string("action"), operatorName: try row.string("operator"),
                                     queue: try row.string("queue"),
                                     messageIds: try JSONDecoder().decode([String].self, from: Data(try row.string("message_ids").utf8)),
                                     filter: try row.optionalString("filter"),
                                     detail: try JSONDecoder().decode(JSONValue.self, from: Data(try row.string("detail").utf8)),
                                     dbUser: try row.string("db_user"), at: try row.timestamp("at"))
        }
    }
}
