import Contracts
import Foundation
import SalesDomain
import Storage

struct VisitView: Codable, Sendable, Equatable {
    let id: Int64
    let customerCode: String
    let salesperson: String
    let plannedFor: String
    let purpose: String
    let status: String
    /// A planned visit whose day passed without its outcome logged.
    let overdue: Bool
    let visitedOn: String?
    let outcome: String?
    let learnt: String?
    let nextStep: String?
    let createdAt: Date
    let loggedAt: Date?
}

struct ExceptionView: Codable, Sendable, Equatable {
    let id: Int64
    let orderRef: String
    let customerCode: String
    /// The salesperson the order belongs to.
    let owner: String?
    let kind: String
    let detail: String
    let raisedAt: Date
    /// The owner's manager, once it was escalated to them.
    let escalatedTo: String?
    let escalatedAt: Date?
    let resolvedAt: Date?
}

/// Visits and order exceptions: the salesperson's follow-up.
struct FollowUpStore {
    let tx: Transaction

    // MARK: visits

    func planVisit(customer: String, salesperson: String, plannedFor: String, purpose: String) throws -> Int64 {
        try tx.query("""
            INSERT INTO visits (customer_code, salesperson, planned_for, purpose) VALUES ($1, $2, $3, $4) RETURNING id
            """, [.text(customer), .text(salesperson), .date(plannedFor), .text(purpose)]).first!.int("id")
    }

    func lockVisit(_ id: Int64) throws -> (customer: String, salesperson: String, status: VisitStatus)? {
        try tx.query("SELECT customer_code, salesperson, status FROM visits WHERE id = $1 FOR UPDATE", [.int(id)]).first.map {
            (try $0.string("customer_code"), try $0.string("salesperson"), try $0.code("status", as: VisitStatus.self))
        }
    }

    func logVisit(_ id: Int64, visitedOn: String, outcome: String, learnt: String?, nextStep: String?) throws {
        try tx.execute("""
            UPDATE visits SET status = 'done', visited_on = $2, outcome = $3, learnt = $4, next_step = $5, logged_at = now() WHERE id = $1
            """, [.int(id), .date(visitedOn), .text(outcome), learnt.map(PGValue.text) ?? .null, nextStep.map(PGValue.text) ?? .null])
    }

    func cancelVisit(_ id: Int64) throws {
        try tx.execute("UPDATE visits SET status = 'cancelled', logged_at = now() WHERE id = $1", [.int(id)])
    }

    /// Visits oldest first: of `people` (nil: everyone), of a customer, in a status, only overdue ones as of `asOf`.
    func visits(people: [String]?, customer: String?, status: String?, overdueAsOf asOf: BusinessDate?, today: BusinessDate,
                after: Int64, limit: Int) throws -> [VisitView] {
        try tx.query("""
            SELECT id, customer_code, salesperson, planned_for, purpose, status, visited_on, outcome, learnt, next_step, created_at, logged_at
            FROM visits WHERE ($1::text[] IS NULL OR salesperson = ANY($1::text[])) AND ($2::text IS NULL OR customer_code = $2)
              AND ($3::text IS NULL OR status = $3) AND ($4::date IS NULL OR (status = 'planned' AND planned_for < $4)) AND id > $5
            ORDER BY id LIMIT $6
            """, [people.map(PGValue.textArray) ?? .null, customer.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null,
                  asOf.map { .date($0.description) } ?? .null, .int(after), .int(Int64(limit))]).map { row in
            let status = try row.code("status", as: VisitStatus.self), planned = try row.date("planned_for")
            return VisitView(id: try row.int("id"), customerCode: try row.string("customer_code"), salesperson: try row.string("salesperson"),
                             plannedFor: planned, purpose: try row.string("purpose"), status: status.rawValue,
                             overdue: FollowUp.isOverdue(status, plannedFor: BusinessDate(planned)!, asOf: today),
                             visitedOn: try row.isNull("visited_on") ? nil : try row.date("visited_on"), outcome: try row.optionalString("outcome"),
                             learnt: try row.optionalString("learnt"), nextStep: try row.optionalString("next_step"),
                             createdAt: try row.timestamp("created_at"), loggedAt: try row.optionalTimestamp("logged_at"))
        }
    }

    /// The person and those who report to them (as the service last saw them in their tokens).
    func team(of person: String) throws -> [String] {
        [person] + (try tx.query("SELECT subject FROM people WHERE manager = $1 ORDER BY subject", [.text(person)]).map { try $0.string("subject") })
    }

    /// Whom a person reports to, as last seen in their token.
    func manager(of person: String) throws -> String? {
        try tx.query("SELECT manager FROM people WHERE subject = $1", [.text(person)]).first.flatMap { try $0.optionalString("manager") }
    }

    // MARK: exceptions

    /// Flags an exception of the order to its salesperson, once per kind while it is open.
    @discardableResult
    func raise(_ orderRef: String, customer: String, owner: String?, _ kind: ExceptionKind, _ detail: String, at: Date? = nil) throws -> Bool {
        try !tx.query("""
            INSERT INTO order_exceptions (order_ref, customer_code, owner, kind, detail, raised_at)
            VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()))
            ON CONFLICT (order_ref, kind) WHERE resolved_at IS NULL DO NOTHING RETURNING id
            """, [.text(orderRef), .text(customer), owner.map(PGValue.text) ?? .null, .text(kind.rawValue), .text(detail),
                  at.map(PGValue.timestamp) ?? .null]).isEmpty
    }

    func resolveAll(_ orderRef: String) throws {
        try tx.execute("UPDATE order_exceptions SET resolved_at = now() WHERE order_ref = $1 AND resolved_at IS NULL", [.text(orderRef)])
    }

    func resolve(_ orderRef: String, _ kind: ExceptionKind) throws {
        try tx.execute("UPDATE order_exceptions SET resolved_at = now() WHERE order_ref = $1 AND kind = $2 AND resolved_at IS NULL",
                       [.text(orderRef), .text(kind.rawValue)])
    }

    /// Open exceptions raised before `before` and not escalated yet, locked, oldest first.
    func dueForEscalation(before: Date, limit: Int) throws -> [(id: Int64, orderRef: String, owner: String?, kind: String)] {
        try tx.query("""
            SELECT id, order_ref, owner, kind FROM order_exceptions WHERE resolved_at IS NULL AND escalated_at IS NULL AND raised_at <= $1
            ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
            """, [.timestamp(before), .int(Int64(limit))]).map {
            (try $0.int("id"), try $0.string("order_ref"), try $0.optionalString("owner"), try $0.string("kind"))
        }
    }

    func escalate(_ id: Int64, to manager: String?) throws {
        try tx.execute("UPDATE order_exceptions SET escalated_at = now(), escalated_to = $2 WHERE id = $1",
                       [.int(id), manager.map(PGValue.text) ?? .null])
    }

    /// Live orders not delivered by the day the customer asked for, without an open `late` exception.
    func lateOrders(asOf: BusinessDate, limit: Int) throws -> [(ref: String, customer: String, owner: String?, requested: String)] {
        try tx.query("""
            SELECT o.order_ref, o.customer_code, o.owner, o.requested_delivery_date FROM orders o
            WHERE o.status = ANY($3::text[]) AND o.requested_delivery_date < $1
              AND NOT EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_ref = o.order_ref AND e.kind = 'late')
            ORDER BY o.seq LIMIT $2
            """, [.date(asOf.description), .int(Int64(limit)),
                  .textArray(OrderStatus.allCases.filter(FollowUp.canBeLate).map(\.rawValue))]).map {
            (try $0.string("order_ref"), try $0.string("customer_code"), try $0.optionalString("owner"), try $0.date("requested_delivery_date"))
        }
    }

    /// Exceptions oldest first: open ones for `person` (theirs, or escalated to them), or by status and owner.
    func exceptions(for person: String?, owner: String?, status: String?, after: Int64, limit: Int) throws -> [ExceptionView] {
        try tx.query("""
            SELECT id, order_ref, customer_code, owner, kind, detail, raised_at, escalated_to, escalated_at, resolved_at FROM order_exceptions
            WHERE ($1::text IS NULL OR (resolved_at IS NULL AND (owner = $1 OR escalated_to = $1)))
              AND ($2::text IS NULL OR owner = $2)
              AND ($3::text IS NULL OR ($3 = 'open' AND resolved_at IS NULL) OR ($3 = 'escalated' AND resolved_at IS NULL AND escalated_at IS NOT NULL)
                   OR ($3 = 'resolved' AND resolved_at IS NOT NULL))
              AND id > $4 ORDER BY id LIMIT $5
            """, [person.map(PGValue.text) ?? .null, owner.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null,
                  .int(after), .int(Int64(limit))]).map { row in
            ExceptionView(id: try row.int("id"), orderRef: try row.string("order_ref"), customerCode: try row.string("customer_code"),
                          owner: try row.optionalString("owner"), kind: try row.string("kind"), detail: try row.string("detail"),
                          raisedAt: try row.timestamp("raised_at"), escalatedTo: try row.optionalString("escalated_to"),
                          escalatedAt: try row.optionalTimestamp("escalated_at"), resolvedAt: try row.optionalTimestamp("resolved_at"))
        }
    }
}
