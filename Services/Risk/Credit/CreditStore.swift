import Contracts
import Foundation
import RiskDomain
import Storage

/// An order as risk keeps it.
struct RiskOrder: Sendable, Equatable {
    let ref: String
    let customer: String
    let total: Int64
    let status: RiskOrderStatus
    let correlationId: String?
}

/// Every statement risk runs when it changes something, behind typed methods, inside the
/// work's transaction. Handlers load through it, decide in the domain, and save through it.
struct CreditStore {
    let tx: Transaction

    // MARK: orders

    /// Takes a placed order in (status held, to be decided now); a reference whose order was
    /// rejected is taken in again as new. False when risk has it already.
    func takeIn(_ order: OrderPlaced, correlationId: String) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (order_ref, customer_code, total, currency, status, correlation_id)
            VALUES ($1, $2, $3, $4, 'held', $5)
            ON CONFLICT (order_ref) DO UPDATE SET customer_code = EXCLUDED.customer_code, total = EXCLUDED.total,
                currency = EXCLUDED.currency, status = 'held', reason_code = NULL, decided_by = NULL,
                correlation_id = EXCLUDED.correlation_id, updated_at = now()
            WHERE orders.status = ANY($6::text[])
            RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .int(order.total), .text(order.currency),
                  .text(correlationId), Self.statuses(\.acceptsNewOrder)]).isEmpty
    }

    /// The order, locked for this transaction.
    func lockOrder(_ ref: String) throws -> RiskOrder? {
        try tx.query("SELECT order_ref, customer_code, total, status, correlation_id FROM orders WHERE order_ref = $1 FOR UPDATE",
                     [.text(ref)]).first.map { row in
            RiskOrder(ref: try row.string("order_ref"), customer: try row.string("customer_code"), total: try row.int("total"),
                      status: try row.code("status", as: RiskOrderStatus.self), correlationId: try row.optionalString("correlation_id"))
        }
    }

    func saveDecision(_ ref: String, _ status: RiskOrderStatus, reason: ReasonCode?, by person: String?) throws {
        try tx.execute("""
            UPDATE orders SET status = $2, reason_code = $3, decided_by = $4, updated_at = now() WHERE order_ref = $1
            """, [.text(ref), .text(status.rawValue), reason.map { .text($0.rawValue) } ?? .null, person.map(PGValue.text) ?? .null])
    }

    /// A cancelled order no longer counts; one risk never saw is kept as cancelled, so a late
    /// `sales.order.placed` cannot bring it back.
    func cancel(_ ref: String, customer: String) throws {
        try tx.execute("""
            INSERT INTO orders (order_ref, customer_code, total, currency, status) VALUES ($1, $2, 0, 'XXX', 'cancelled')
            ON CONFLICT (order_ref) DO UPDATE SET status = 'cancelled', updated_at = now()
            """, [.text(ref), .text(customer)])
    }

    // MARK: customers

    /// One credit decision per customer at a time, across replicas: each sees the others' orders.
    func lockCustomer(_ customer: String) throws {
        try tx.execute("SELECT pg_advisory_xact_lock(hashtext('risk:' || $1))", [.text(customer)])
    }

    func profile(_ customer: String, lock: Bool = false) throws -> CreditProfile? {
        let sql = lock ? "SELECT credit_limit, rating, on_hold FROM credit_profiles WHERE customer_code = $1 FOR UPDATE"
                       : "SELECT credit_limit, rating, on_hold FROM credit_profiles WHERE customer_code = $1"
        return try tx.query(sql, [.text(customer)]).first.map { row in
            CreditProfile(customerCode: customer, creditLimit: try row.int("credit_limit"),
                          rating: try row.code("rating", as: Rating.self), onHold: try row.bool("on_hold"))
        }
    }

    /// The currency a customer's limit is in (nil: no profile yet).
    func profileCurrency(_ customer: String) throws -> String? {
        try tx.query("SELECT currency FROM credit_profiles WHERE customer_code = $1", [.text(customer)]).first?.string("currency")
    }

    /// A credit profile as saved, as JSON: what the change log keeps.
    func profileSnapshot(_ customer: String) throws -> String {
        try tx.query("SELECT to_jsonb(p)::text AS change FROM credit_profiles p WHERE p.customer_code = $1", [.text(customer)]).first!.string("change")
    }

    func saveProfile(_ customer: String, limit: Int64, currency: String, rating: Rating) throws {
        try tx.execute("""
            INSERT INTO credit_profiles (customer_code, credit_limit, currency, rating) VALUES ($1, $2, $3, $4)
            ON CONFLICT (customer_code) DO UPDATE SET credit_limit = $2, currency = $3, rating = $4, updated_at = now()
            """, [.text(customer), .int(limit), .text(currency), .text(rating.rawValue)])
    }

    func putOnHold(_ customer: String, rating: Rating, reason: String) throws {
        try tx.execute("""
            UPDATE credit_profiles SET rating = $2, on_hold = true, hold_reason = $3, updated_at = now() WHERE customer_code = $1
            """, [.text(customer), .text(rating.rawValue), .text(reason)])
    }

    func releaseHold(_ customer: String) throws {
        try tx.execute("UPDATE credit_profiles SET on_hold = false, hold_reason = NULL, updated_at = now() WHERE customer_code = $1",
                       [.text(customer)])
    }

    /// Open receivables + the uninvoiced part of open (approved or held) orders, without `excluding`.
    func exposure(of customer: String, excluding orderRef: String = "") throws -> Int64 {
        try tx.query(Self.exposureSQL, [.text(customer), .text(orderRef), Self.statuses(\.countsTowardsExposure)]).first!.int("exposure")
    }

    static let exposureSQL = """
        SELECT (COALESCE((SELECT sum(GREATEST(o.total - COALESCE((SELECT sum(i.amount) FROM invoices i
                                                                  WHERE i.order_ref = o.order_ref), 0), 0))
                          FROM orders o WHERE o.customer_code = $1 AND o.status = ANY($3::text[])
                                          AND o.order_ref <> $2), 0)
              + COALESCE((SELECT sum(outstanding) FROM invoices WHERE customer_code = $1), 0))::bigint AS exposure
        """

    /// The statuses a domain rule picks, as a parameter: the rule lives in `RiskOrderStatus`, not in SQL.
    static func statuses(_ rule: (RiskOrderStatus) -> Bool) -> PGValue {
        .textArray(RiskOrderStatus.allCases.filter(rule).map(\.rawValue))
    }

    // MARK: receivables (finance's events)

    func invoiceIssued(_ number: String, order: String, customer: String, amount: Int64) throws {
        try tx.execute("""
            INSERT INTO invoices (invoice_number, order_ref, customer_code, amount, outstanding) VALUES ($1, $2, $3, $4, $4)
            ON CONFLICT (invoice_number) DO UPDATE SET order_ref = $2, customer_code = $3, amount = $4
            """, [.text(number), .text(order), .text(customer), .int(amount)])
    }

    /// Outstanding amounts only fall, so the smaller figure wins whatever order events come in.
    func apply(_ allocations: [Allocation]) throws {
        for allocation in allocations {
            try tx.execute("""
                INSERT INTO invoices (invoice_number, outstanding) VALUES ($1, $2)
                ON CONFLICT (invoice_number) DO UPDATE SET outstanding = LEAST(invoices.outstanding, $2)
                """, [.text(allocation.invoiceNumber), .int(allocation.outstanding)])
        }
    }

    /// True the first time this invoice is reported overdue.
    func markOverdue(_ number: String, order: String, customer: String, outstanding: Int64) throws -> Bool {
        try !tx.query("""
            INSERT INTO invoices (invoice_number, order_ref, customer_code, outstanding, overdue) VALUES ($1, $2, $3, $4, true)
            ON CONFLICT (invoice_number) DO UPDATE SET overdue = true WHERE NOT invoices.overdue RETURNING invoice_number
            """, [.text(number), .text(order), .text(customer), .int(outstanding)]).isEmpty
    }

    // MARK: the credit log

    func log(_ customer: String, order: String?, _ action: String, _ detail: String, exposure: Int64?, by person: String?) throws {
        try tx.execute("""
            INSERT INTO credit_log (customer_code, order_ref, action, detail, exposure, by_whom) VALUES ($1, $2, $3, $4, $5, $6)
            """, [.text(customer), order.map(PGValue.text) ?? .null, .text(action), .text(detail),
                  exposure.map(PGValue.int) ?? .null, person.map(PGValue.text) ?? .null])
    }
}
