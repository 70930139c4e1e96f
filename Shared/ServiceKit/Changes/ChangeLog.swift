import Foundation
import Hummingbird
import Messaging
import Storage

/// The master data a service keeps (products and their prices, customers, payment terms,
/// warehouses, credit profiles) changes by a person's hand: each change is written here, in the
/// same transaction, with who made it, what it set and from which request, and never rewritten.
public enum ChangeLog {
    public static let migrations: [Migration] = [
        Migration(60, "the change log of master data", """
            CREATE TABLE master_changes (
                id bigserial PRIMARY KEY,
                kind text NOT NULL,
                key text NOT NULL,
                change jsonb NOT NULL,
                actor text NOT NULL,
                correlation_id text,
                changed_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX master_changes_by_key ON master_changes (kind, key, id);
            CREATE TRIGGER master_changes_append_only BEFORE UPDATE OR DELETE ON master_changes
                FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER master_changes_no_truncate BEFORE TRUNCATE ON master_changes
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        // Written by `bizctl dead replay|edit|purge` (as the database's admin), read through `GET /operator-actions`.
        Migration(61, "what operators did to the service's dead letters", """
            CREATE TABLE operator_actions (
                id bigserial PRIMARY KEY,
                action text NOT NULL CHECK (action IN ('replay', 'edit', 'purge')),
                operator text NOT NULL,
                queue text NOT NULL,
                message_ids text[] NOT NULL,
                filter text,
                detail jsonb NOT NULL DEFAULT '{}',
                at timestamptz NOT NULL DEFAULT now());
            CREATE TRIGGER operator_actions_append_only BEFORE UPDATE OR DELETE ON operator_actions
                FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER operator_actions_no_truncate BEFORE TRUNCATE ON operator_actions
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        // `operator` is what bizctl was told; the database role that wrote the row is not up to it.
        Migration(62, "who wrote an operator action, as the database knows them", """
            ALTER TABLE operator_actions ADD COLUMN db_user text NOT NULL DEFAULT current_user;
            """),
    ]

    /// One operator action as listed by `GET /operator-actions`.
    struct OperatorAction: Encodable, Sendable, ResponseEncodable {
        let id: Int64
        let action: String
        let operatorName: String
        let queue: String
        let messageIds: [String]
        let filter: String?
        let detail: JSONValue
        let dbUser: String
        let at: Date
        enum CodingKeys: String, CodingKey { case id, action, operatorName = "operator", queue, messageIds, filter, detail, dbUser, at }
    }

    /// One change as listed by `GET /changes`.
    struct Entry: Encodable, Sendable, ResponseEncodable {
        let id: Int64
        let kind: String
        let key: String
        let change: JSONValue
        let actor: String
        let correlationId: String?
        let changedAt: Date
    }

    static func add(to router: Routes, _ env: ServiceEnvironment) {
        router.get("/changes", allow: .readers) { request, _ -> Page<Entry> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: 500)
            let rows = try await env.pool.query("""
                SELECT id, kind, key, change::text AS change, actor, correlation_id, changed_at FROM master_changes
                WHERE id > $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR key = $3)
                ORDER BY id LIMIT $4
                """, [.int(after), query.get("kind").map(PGValue.text) ?? .null, query.get("key").map(PGValue.text) ?? .null,
                      .int(Int64(limit + 1))])
            let items = try rows.map { row in
                Entry(id: try row.int("id"), kind: try row.string("kind"), key: try row.string("key"),
                      change: try JSONDecoder().decode(JSONValue.self, from: Data(try row.string("change").utf8)),
                      actor: try row.string("actor"), correlationId: try row.optionalString("correlation_id"),
                      changedAt: try row.timestamp("changed_at"))
            }
            return Page(items, limit: limit) { String($0.id) }
        }
        router.get("/operator-actions", allow: .readers) { request, _ -> Page<OperatorAction> in
            let (limit, after) = try PageRequest.numbered(request, max: 500)
            let rows = try await env.pool.query("""
                SELECT id, action, operator, queue, array_to_json(message_ids)::text AS message_ids, filter, detail::text AS detail, db_user, at
                FROM operator_actions WHERE id > $1 ORDER BY id LIMIT $2
                """, [.int(after), .int(Int64(limit + 1))])
            let items = try rows.map { row in
                OperatorAction(id: try row.int("id"), action: try row.string("action"), operatorName: try row.string("operator"),
                               queue: try row.string("queue"),
                               messageIds: try JSONDecoder().decode([String].self, from: Data(try row.string("message_ids").utf8)),
                               filter: try row.optionalString("filter"),
                               detail: try JSONDecoder().decode(JSONValue.self, from: Data(try row.string("detail").utf8)),
                               dbUser: try row.string("db_user"), at: try row.timestamp("at"))
            }
            return Page(items, limit: limit) { String($0.id) }
        }
    }
}

extension UnitOfWork {
    /// Writes a change of master data (`kind` `product`, its `key` the SKU, `change` what was set)
    /// with the work's actor: the person, or the sending system.
    public func recordChange(_ kind: String, _ key: String, _ change: some Encodable) throws {
        try recordChange(kind, key, json: String(decoding: try JSONEncoder.contracts.encode(change), as: UTF8.self))
    }

    /// The same with the change as JSON text: a store's snapshot of the row as saved.
    public func recordChange(_ kind: String, _ key: String, json: String) throws {
        try transaction.execute("""
            INSERT INTO master_changes (kind, key, change, actor, correlation_id) VALUES ($1, $2, $3::jsonb, $4, $5)
            """, [.text(kind), .text(key), .text(json), .text(cause.actor ?? cause.source),
                  correlationId.map(PGValue.text) ?? .null])
    }
}

/// Any JSON value, as stored: what a change set is shown as.
enum JSONValue: Codable, Sendable {
    case string(String), int(Int64), number(Double), bool(Bool), object([String: JSONValue]), array([JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .number(let n): try c.encode(n)
        case .bool(let b): try c.encode(b)
        case .object(let o): try c.encode(o)
        case .array(let a): try c.encode(a)
        case .null: try c.encodeNil()
        }
    }
}
