import Contracts
import Foundation
import Storage

struct CaseView: Codable, Sendable, Equatable {
    let caseId: UUID
    let caseNumber: String
    let channel: String
    let orderRef: String
    let customerCode: String?
    let category: String
    let description: String
    let contact: String?
    let routedTo: String
    let status: String
    let deadline: Date
    let resolution: String?
    let resolutionNote: String?
    let returnId: UUID?
    let openedAt: Date
    let resolvedAt: Date?
    let pastDeadline: Bool
    let escalatedAt: Date?
    let seq: Int64
}

struct CaseLogView: Codable, Sendable, Equatable {
    let id: Int64; let entry: String; let at: Date
    /// Who caused it: a person (token subject) or an outside system; absent for rows from before it was kept.
    let actor: String?
}

/// A case's fields with its log.
struct CaseDetailView: Encodable, Sendable, Equatable {
    let record: CaseView
    let log: [CaseLogView]
    enum CodingKeys: String, CodingKey { case log }
    func encode(to encoder: Encoder) throws {
        try record.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(log, forKey: .log)
    }
}

struct RevisitView: Codable, Sendable, Equatable {
    let orderRef: String
    let customerCode: String
    let dueOn: String
    let status: String
    let satisfaction: Int64?
    let note: String?
    let doneAt: Date?
    let seq: Int64
}

struct PurchaseView: Codable, Sendable, Equatable {
    let orderRef: String
    let lines: [OrderPlaced.Line]
    let deliveredOn: String?
    let signedBy: String?
    let seq: Int64
}

/// The customer's record (客户信息数据库): the newest purchases, cases and revisits together;
/// each whole list pages at its own endpoint.
struct CustomerRecordView: Codable, Sendable, Equatable {
    let customerCode: String
    /// The customer's file as sales last told it (`sales.customer.changed`); nil until it has.
    let file: CustomerFileView?
    let purchases: [PurchaseView]
    let cases: [CaseView]
    let revisits: [RevisitView]
}

/// Whom the desk speaks to: the customer's file as sales keeps it.
struct CustomerFileView: Codable, Sendable, Equatable {
    let name: String
    let stage: String
    let classification: String
    let keyAccount: Bool
    let owner: String?
    let city: String?
    let contacts: [CustomerChanged.Contact]
    let version: Int64
}

/// The reads, inside one transaction (`ServiceEnvironment.read`). Lists oldest first after a cursor.
struct CaseReads {
    static let recent = 20
    let tx: Transaction

    /// Complaints by status, and the unresolved ones past their deadline (the customer-service gauges).
    func caseCounts() throws -> (byStatus: [String: Int64], late: Int64) {
        var byStatus: [String: Int64] = [:], late: Int64 = 0
        for row in try tx.query("""
            SELECT status, count(*) AS n, count(*) FILTER (WHERE status <> 'resolved' AND deadline < now()) AS late FROM cases GROUP BY status
            """) {
            byStatus[try row.string("status")] = try row.int("n"); late += try row.int("late")
        }
        return (byStatus, late)
    }
    static let caseColumns = """
        id, number, channel, order_ref, customer_code, category, description, contact, routed_to, status, deadline, resolution,
        resolution_note, return_id, opened_at, resolved_at, (status <> 'resolved' AND deadline < now()) AS past_deadline, escalated_at, seq
        """

    func cases(status: String?, order: String?, customer: String?, after: Int64, newestFirst: Bool = false, limit: Int) throws -> [CaseView] {
        try tx.query("""
            SELECT \(Self.caseColumns) FROM cases
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR order_ref = $2) AND ($3::text IS NULL OR customer_code = $3)
              AND seq > $4 ORDER BY \(newestFirst ? "seq DESC" : "seq") LIMIT $5
            """, [status.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null,
                  .int(after), .int(Int64(limit))]).map(Self.caseView)
    }

    func caseDetail(_ number: String) throws -> CaseDetailView? {
        guard let row = try tx.query("SELECT \(Self.caseColumns) FROM cases WHERE number = $1", [.text(number)]).first else { return nil }
        let record = try Self.caseView(row)
        let log = try tx.query("SELECT id, entry, at, actor FROM case_log WHERE case_id = $1 ORDER BY id", [.uuid(record.caseId)]).map {
            CaseLogView(id: try $0.int("id"), entry: try $0.string("entry"), at: try $0.timestamp("at"), actor: try $0.optionalString("actor"))
        }
        return CaseDetailView(record: record, log: log)
    }

    func revisits(status: String?, order: String?, customer: String?, after: Int64, newestFirst: Bool = false, limit: Int) throws -> [RevisitView] {
        try tx.query("""
            SELECT order_ref, customer_code, due_on::text AS due_on, status, satisfaction, note, done_at, seq FROM revisits
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR order_ref = $2) AND ($3::text IS NULL OR customer_code = $3)
              AND seq > $4 ORDER BY \(newestFirst ? "seq DESC" : "seq") LIMIT $5
            """, [status.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null,
                  .int(after), .int(Int64(limit))]).map { r in
            RevisitView(orderRef: try r.string("order_ref"), customerCode: try r.string("customer_code"), dueOn: try r.string("due_on"),
                        status: try r.string("status"), satisfaction: try r.optionalInt("satisfaction"), note: try r.optionalString("note"),
                        doneAt: try r.isNull("done_at") ? nil : try r.timestamp("done_at"), seq: try r.int("seq"))
        }
    }

    func purchases(customer: String, after: Int64, newestFirst: Bool = false, limit: Int) throws -> [PurchaseView] {
        try tx.query("""
            SELECT order_ref, lines::text AS lines, delivered_on::text AS delivered_on, signed_by, seq FROM orders
            WHERE customer_code = $1 AND seq > $2 ORDER BY \(newestFirst ? "seq DESC" : "seq") LIMIT $3
            """, [.text(customer), .int(after), .int(Int64(limit))]).map { r in
            PurchaseView(orderRef: try r.string("order_ref"), lines: try r.json("lines", as: [OrderPlaced.Line].self),
                         deliveredOn: try r.optionalString("delivered_on"), signedBy: try r.optionalString("signed_by"), seq: try r.int("seq"))
        }
    }

    func customerRecord(_ customer: String) throws -> CustomerRecordView? {
        let purchases = try purchases(customer: customer, after: 0, newestFirst: true, limit: Self.recent)
        let cases = try cases(status: nil, order: nil, customer: customer, after: 0, newestFirst: true, limit: Self.recent)
        let file = try customerFile(customer)
        guard file != nil || !purchases.isEmpty || !cases.isEmpty else { return nil }
        return CustomerRecordView(customerCode: customer, file: file, purchases: purchases, cases: cases,
                                  revisits: try revisits(status: nil, order: nil, customer: customer, after: 0, newestFirst: true, limit: Self.recent))
    }

    func customerFile(_ customer: String) throws -> CustomerFileView? {
        guard let row = try tx.query("""
            SELECT version, name, stage, classification, key_account, owner, city, contacts::text AS contacts FROM customers WHERE code = $1
            """, [.text(customer)]).first else { return nil }
        return CustomerFileView(name: try row.string("name"), stage: try row.string("stage"), classification: try row.string("classification"),
                                keyAccount: try row.bool("key_account"), owner: try row.optionalString("owner"), city: try row.optionalString("city"),
                                contacts: try JSONDecoder().decode([CustomerChanged.Contact].self, from: Data(try row.string("contacts").utf8)),
                                version: try row.int("version"))
    }

    private static func caseView(_ r: PGRow) throws -> CaseView {
        CaseView(caseId: try r.uuid("id"), caseNumber: try r.string("number"), channel: try r.string("channel"), orderRef: try r.string("order_ref"),
                 customerCode: try r.optionalString("customer_code"), category: try r.string("category"), description: try r.string("description"),
                 contact: try r.optionalString("contact"), routedTo: try r.string("routed_to"), status: try r.string("status"),
                 deadline: try r.timestamp("deadline"), resolution: try r.optionalString("resolution"),
                 resolutionNote: try r.optionalString("resolution_note"), returnId: try r.isNull("return_id") ? nil : try r.uuid("return_id"),
                 openedAt: try r.timestamp("opened_at"), resolvedAt: try r.isNull("resolved_at") ? nil : try r.timestamp("resolved_at"),
                 pastDeadline: try r.bool("past_deadline"), escalatedAt: try r.isNull("escalated_at") ? nil : try r.timestamp("escalated_at"),
                 seq: try r.int("seq"))
    }
}
