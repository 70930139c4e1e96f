import Contracts
import Foundation
import Storage

/// A version of an authority rule: a role's limit for an action, as set by someone at a time.
public struct AuthorityRule: Sendable, Codable, Equatable {
    public let id: Int64
    public let action: String
    public let role: String
    /// nil: no limit.
    public let limit: Int64?
    public let unit: String
    public let setBy: String
    public let setAt: Date
    public let note: String?

    public func covers(_ amount: Int64) -> Bool { limit.map { amount <= $0 } ?? true }
}

/// An entry of the append-only decision log.
public struct ApprovalLogEntry: Sendable, Codable, Equatable {
    public let id: Int64
    public let requestId: UUID?
    public let step: String
    public let action: String
    public let subject: String
    public let amount: Int64
    public let actor: String
    public let onBehalfOf: String?
    public let ruleId: Int64?
    public let limit: Int64?
    public let reason: String?
    public let at: Date
}

/// A delegation: `delegate` decides for `delegator` from `starts` to `ends` (dates, inclusive),
/// unless ended early (`endedAt`, by `endedBy`); kept either way.
public struct Delegation: Sendable, Codable, Equatable {
    public let id: Int64
    public let delegator: String
    public let delegate: String
    public let starts: String
    public let ends: String
    public let note: String?
    public let createdAt: Date
    public let endedAt: Date?
    public let endedBy: String?
}

/// A person as the service last saw them (from their token).
public struct KnownPerson: Sendable, Codable, Equatable {
    public let subject: String
    public let name: String?
    public let department: String?
    public let team: String?
    public let manager: String?
    public let roles: [String]
    public let lastSeen: Date
}

/// The kit's approval tables, read and written inside a transaction.
struct ApprovalStore {
    let tx: Transaction

    static let ruleColumns = "id, action, role, limit_value, unit, set_by, set_at, note"

    func currentRule(_ action: String, role: String) throws -> AuthorityRule? {
        try tx.query("SELECT \(Self.ruleColumns) FROM authority_limits WHERE action = $1 AND role = $2 ORDER BY id DESC LIMIT 1",
                     [.text(action), .text(role)]).first.map(Self.rule)
    }

    func currentRules() throws -> [AuthorityRule] {
        try tx.query("""
            SELECT DISTINCT ON (action, role) \(Self.ruleColumns) FROM authority_limits ORDER BY action, role, id DESC
            """).map(Self.rule)
    }

    func ruleHistory(after: Int64, limit: Int) throws -> [AuthorityRule] {
        try tx.query("SELECT \(Self.ruleColumns) FROM authority_limits WHERE id > $1 ORDER BY id LIMIT $2",
                     [.int(after), .int(Int64(limit))]).map(Self.rule)
    }

    @discardableResult
    func insertRule(_ action: String, role: String, limit: Int64?, unit: String, by: String, note: String?) throws -> AuthorityRule {
        try Self.rule(tx.query("""
            INSERT INTO authority_limits (action, role, limit_value, unit, set_by, note) VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING \(Self.ruleColumns)
            """, [.text(action), .text(role), limit.map(PGValue.int) ?? .null, .text(unit), .text(by), note.map(PGValue.text) ?? .null]).first!)
    }

    static func rule(_ row: PGRow) throws -> AuthorityRule {
        AuthorityRule(id: try row.int("id"), action: try row.string("action"), role: try row.string("role"),
                      limit: try row.optionalInt("limit_value"), unit: try row.string("unit"), setBy: try row.string("set_by"),
                      setAt: try row.timestamp("set_at"), note: try row.optionalString("note"))
    }

    // MARK: requests

    static let requestColumns = """
        seq, id, action, subject, amount, unit, summary, payload::text AS payload, requested_by, requested_at, approver_role, rule_id,
        correlation_id, status, decided_by, on_behalf_of, decided_at, decision_rule_id, reason
        """

    func request(_ id: UUID, lock: Bool = false) throws -> ApprovalRecord? {
        try tx.query("SELECT \(Self.requestColumns) FROM approval_requests WHERE id = $1\(lock ? " FOR UPDATE" : "")", [.uuid(id)])
            .first.map(Self.record)
    }

    func openRequest(_ action: String, subject: String) throws -> ApprovalRecord? {
        try tx.query("SELECT \(Self.requestColumns) FROM approval_requests WHERE action = $1 AND subject = $2 AND status = 'pending' FOR UPDATE",
                     [.text(action), .text(subject)]).first.map(Self.record)
    }

    func fingerprint(_ id: UUID) throws -> String {
        try tx.query("SELECT fingerprint FROM approval_requests WHERE id = $1", [.uuid(id)]).first!.string("fingerprint")
    }

    /// Requests by status (nil: any), and only those addressed to one of `roles` when given, in the order they came.
    func requests(status: String?, roles: [String]?, subject: String?, after: Int64, limit: Int) throws -> [ApprovalRecord] {
        try tx.query("""
            SELECT \(Self.requestColumns) FROM approval_requests
            WHERE seq > $1 AND ($2::text IS NULL OR status = $2) AND ($3::text[] IS NULL OR approver_role = ANY($3::text[]))
              AND ($4::text IS NULL OR subject = $4)
            ORDER BY seq LIMIT $5
            """, [.int(after), status.map(PGValue.text) ?? .null, roles.map(PGValue.textArray) ?? .null,
                  subject.map(PGValue.text) ?? .null, .int(Int64(limit))]).map(Self.record)
    }

    func insertRequest(id: UUID, action: String, subject: String, amount: Int64, unit: String, summary: String, payload: String,
                       fingerprint: String, requestedBy: String, approverRole: String, rule: AuthorityRule, correlationId: String?) throws -> Bool {
        // Two first asks at once: one request; the other finds it (the open-request index decides).
        try !tx.query("""
            INSERT INTO approval_requests (id, action, subject, amount, unit, summary, payload, fingerprint, requested_by, approver_role,
                                           rule_id, correlation_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12)
            ON CONFLICT (action, subject) WHERE status = 'pending' DO NOTHING RETURNING id
            """, [.uuid(id), .text(action), .text(subject), .int(amount), .text(unit), .text(summary), .json(payload), .text(fingerprint),
                  .text(requestedBy), .text(approverRole), .int(rule.id), correlationId.map(PGValue.text) ?? .null]).isEmpty
    }

    func supersede(_ id: UUID) throws {
        try tx.execute("UPDATE approval_requests SET status = 'superseded', decided_at = now() WHERE id = $1", [.uuid(id)])
    }

    func decide(_ id: UUID, status: String, by: String, onBehalfOf: String?, rule: AuthorityRule?, reason: String?) throws {
        try tx.execute("""
            UPDATE approval_requests SET status = $2, decided_by = $3, on_behalf_of = $4, decision_rule_id = $5, reason = $6, decided_at = now()
            WHERE id = $1
            """, [.uuid(id), .text(status), .text(by), onBehalfOf.map(PGValue.text) ?? .null, rule.map { .int($0.id) } ?? .null,
                  reason.map(PGValue.text) ?? .null])
    }

    static func record(_ row: PGRow) throws -> ApprovalRecord {
        ApprovalRecord(seq: try row.int("seq"), id: try row.uuid("id"), action: try row.string("action"), subject: try row.string("subject"),
                       amount: try row.int("amount"), unit: try row.string("unit"), summary: try row.string("summary"),
                       payload: try row.string("payload"), requestedBy: try row.string("requested_by"),
                       requestedAt: try row.timestamp("requested_at"), approverRole: try row.string("approver_role"),
                       ruleId: try row.int("rule_id"), correlationId: try row.optionalString("correlation_id"),
                       status: try row.string("status"), decidedBy: try row.optionalString("decided_by"),
                       onBehalfOf: try row.optionalString("on_behalf_of"), decidedAt: try row.optionalTimestamp("decided_at"),
                       decisionRuleId: try row.optionalInt("decision_rule_id"), reason: try row.optionalString("reason"))
    }

    // MARK: the decision log

    func log(request: UUID?, step: String, action: String, subject: String, amount: Int64, actor: String, onBehalfOf: String?,
             rule: AuthorityRule?, reason: String?) throws {
        try tx.execute("""
            INSERT INTO approval_log (request_id, step, action, subject, amount, actor, on_behalf_of, rule_id, limit_value, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, [request.map(PGValue.uuid) ?? .null, .text(step), .text(action), .text(subject), .int(amount), .text(actor),
                  onBehalfOf.map(PGValue.text) ?? .null, rule.map { .int($0.id) } ?? .null, rule?.limit.map(PGValue.int) ?? .null,
                  reason.map(PGValue.text) ?? .null])
    }

    func logEntries(request: UUID?, after: Int64, limit: Int) throws -> [ApprovalLogEntry] {
        try tx.query("""
            SELECT id, request_id, step, action, subject, amount, actor, on_behalf_of, rule_id, limit_value, reason, at FROM approval_log
            WHERE id > $1 AND ($2::uuid IS NULL OR request_id = $2) ORDER BY id LIMIT $3
            """, [.int(after), request.map(PGValue.uuid) ?? .null, .int(Int64(limit))]).map { row in
            ApprovalLogEntry(id: try row.int("id"), requestId: try row.isNull("request_id") ? nil : try row.uuid("request_id"),
                             step: try row.string("step"), action: try row.string("action"), subject: try row.string("subject"),
                             amount: try row.int("amount"), actor: try row.string("actor"), onBehalfOf: try row.optionalString("on_behalf_of"),
                             ruleId: try row.optionalInt("rule_id"), limit: try row.optionalInt("limit_value"),
                             reason: try row.optionalString("reason"), at: try row.timestamp("at"))
        }
    }

    // MARK: delegations and people

    /// The people who delegated to `delegate` for the date of `time` (UTC), as last seen.
    func delegators(of delegate: String, on time: Date) throws -> [KnownPerson] {
        try tx.query("""
            SELECT \(Self.personColumns) FROM delegations d JOIN people p ON p.subject = d.delegator
            WHERE d.delegate = $1 AND $2::date BETWEEN d.starts AND d.ends AND d.ended_at IS NULL ORDER BY d.id
            """, [.text(delegate), .date(Self.day(time))]).map(Self.person)
    }

    func insertDelegation(delegator: String, delegate: String, starts: String, ends: String, note: String?) throws -> Delegation {
        try Self.delegation(tx.query("""
            INSERT INTO delegations (delegator, delegate, starts, ends, note) VALUES ($1, $2, $3::date, $4::date, $5)
            RETURNING \(Self.delegationColumns)
            """, [.text(delegator), .text(delegate), .date(starts), .date(ends), note.map(PGValue.text) ?? .null]).first!)
    }

    /// Ends a delegation early (only its delegator may, once); the row stays, with who ended it
    /// and when. Nil when there is no open delegation of theirs by that id.
    func endDelegation(_ id: Int64, by delegator: String) throws -> Delegation? {
        try tx.query("""
            UPDATE delegations SET ended_at = now(), ended_by = $2 WHERE id = $1 AND delegator = $2 AND ended_at IS NULL
            RETURNING \(Self.delegationColumns)
            """, [.int(id), .text(delegator)]).first.map(Self.delegation)
    }

    static let delegationColumns = "id, delegator, delegate, starts::text AS starts, ends::text AS ends, note, created_at, ended_at, ended_by"

    func delegations(involving person: String?, after: Int64, limit: Int) throws -> [Delegation] {
        try tx.query("""
            SELECT \(Self.delegationColumns) FROM delegations
            WHERE id > $1 AND ($2::text IS NULL OR delegator = $2 OR delegate = $2) ORDER BY id LIMIT $3
            """, [.int(after), person.map(PGValue.text) ?? .null, .int(Int64(limit))]).map(Self.delegation)
    }

    static func delegation(_ row: PGRow) throws -> Delegation {
        Delegation(id: try row.int("id"), delegator: try row.string("delegator"), delegate: try row.string("delegate"),
                   starts: try row.string("starts"), ends: try row.string("ends"), note: try row.optionalString("note"),
                   createdAt: try row.timestamp("created_at"), endedAt: try row.optionalTimestamp("ended_at"),
                   endedBy: try row.optionalString("ended_by"))
    }

    static let personColumns = "p.subject, p.name, p.department, p.team, p.manager, array_to_json(p.roles)::text AS roles, p.last_seen"

    /// Keeps what a token said of its person (name, department, team, manager, roles).
    func remember(subject: String, name: String?, department: String?, team: String?, manager: String?, roles: [String]) throws {
        try tx.execute("""
            INSERT INTO people (subject, name, department, team, manager, roles) VALUES ($1, $2, $3, $4, $5, $6::text[])
            ON CONFLICT (subject) DO UPDATE SET name = $2, department = $3, team = $4, manager = $5, roles = $6::text[], last_seen = now()
            """, [.text(subject), name.map(PGValue.text) ?? .null, department.map(PGValue.text) ?? .null, team.map(PGValue.text) ?? .null,
                  manager.map(PGValue.text) ?? .null, .textArray(roles)])
    }

    func people(after: String, limit: Int) throws -> [KnownPerson] {
        try tx.query("SELECT \(Self.personColumns) FROM people p WHERE p.subject > $1 ORDER BY p.subject LIMIT $2",
                     [.text(after), .int(Int64(limit))]).map(Self.person)
    }

    static func person(_ row: PGRow) throws -> KnownPerson {
        KnownPerson(subject: try row.string("subject"), name: try row.optionalString("name"), department: try row.optionalString("department"),
                    team: try row.optionalString("team"), manager: try row.optionalString("manager"),
                    roles: try JSONDecoder().decode([String].self, from: Data(try row.string("roles").utf8)),
                    lastSeen: try row.timestamp("last_seen"))
    }

    static func day(_ time: Date) -> String {
        let formatter = DateFormatter()
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: time)
    }
}
