import Foundation
import Hummingbird
import Messaging
import Storage

/// The master data a service keeps (products and their prices, customers, payment terms,
/// warehouses, credit profiles) changes by a person's hand: each change is written here, in the
/// same transaction, with who made it, what it set and from which request, and never rewritten.
public enum ChangeLog {
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
            let kind = query.get("kind"), key = query.get("key")
            let items = try await env.pool.run { try ChangeLogStore($0).changes(kind: kind, key: key, after: after, limit: limit + 1) }
            return Page(items, limit: limit) { String($0.id) }
        }
        router.get("/operator-actions", allow: .readers) { request, _ -> Page<OperatorAction> in
            let (limit, after) = try PageRequest.numbered(request, max: 500)
            let items = try await env.pool.run { try ChangeLogStore($0).operatorActions(after: after, limit: limit + 1) }
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
        try ChangeLogStore(tx: transaction).addChange(kind: kind, key: key, json: json, actor: cause.actor ?? cause.source,
                                                      correlationId: correlationId)
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
