import Contracts
import Foundation
import Messaging
import RiskDomain
import Storage

/// Risk's work on the order path: checks each placed order, keeps exposure current from
/// finance's events, lowers ratings on overdue invoices, and lets authorised people release holds.
enum CreditDesk {
    static func check(_ order: OrderPlaced, _ work: UnitOfWork) throws {
        let tx = work.transaction
        let inserted = try tx.query("""
            INSERT INTO orders (order_ref, customer_code, total, currency, status, correlation_id)
            VALUES ($1, $2, $3, $4, 'held', $5)
            ON CONFLICT (order_ref) DO UPDATE SET customer_code = EXCLUDED.customer_code, total = EXCLUDED.total,
                currency = EXCLUDED.currency, status = 'held', reason_code = NULL, decided_by = NULL,
                correlation_id = EXCLUDED.correlation_id, updated_at = now()
            WHERE orders.status = 'rejected'   -- sales takes a rejected reference again as a new order
            RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .int(order.total), .text(order.currency),
                  .text(work.correlationId ?? order.orderRef)])
        guard !inserted.isEmpty else {
            work.logger.info("order already checked", metadata: ["order_ref": "\(order.orderRef)"])
            return
        }
        // One credit decision per customer at a time, across replicas: each sees the others' orders.
        try lockCustomer(order.customerCode, tx)
        let profile = try loadProfile(order.customerCode, tx)
        let exposure = try exposure(of: order.customerCode, excluding: order.orderRef, tx)
        let outcome = CreditPolicy.decide(profile: profile, exposure: exposure, orderTotal: order.total)
        try record(order.orderRef, order.customerCode, outcome, exposure: exposure + order.total, profile: profile,
                   by: nil, work)
    }

    /// Writes the decision and announces it.
    static func record(_ orderRef: String, _ customer: String, _ outcome: CreditOutcome, exposure: Int64,
                       profile: CreditProfile?, by: String?, _ work: UnitOfWork) throws {
        let (status, code, message): (String, ReasonCode?, String?) = switch outcome {
        case .approve: ("approved", nil, nil)
        case .hold(let c, let m): ("held", c, m)
        case .reject(let c, let m): ("rejected", c, m)
        }
        try work.transaction.execute("""
            UPDATE orders SET status = $2, reason_code = $3, decided_by = $4, updated_at = now() WHERE order_ref = $1
            """, [.text(orderRef), .text(status), code.map { .text($0.rawValue) } ?? .null, by.map(PGValue.text) ?? .null])
        try log(customer, orderRef, status, message ?? "within limit", exposure: exposure, by: by, work.transaction)
        let decision = CreditDecision(orderRef: orderRef, customerCode: customer, exposure: exposure,
                                      creditLimit: profile?.creditLimit ?? 0, rating: profile?.rating.rawValue ?? "-",
                                      reasonCode: code, message: message, decidedBy: by)
        switch outcome {
        case .approve: try work.publish(CreditApproved(decision))
        case .hold: try work.publish(CreditHeld(decision))
        case .reject: try work.publish(CreditRejected(decision))
        }
        work.logger.info("credit \(status)", metadata: ["order_ref": "\(orderRef)", "reason": "\(code?.rawValue ?? "-")",
                                                      "exposure": "\(exposure)"])
    }

    /// An authorised person decides a held order: release (it goes on) or reject.
    static func decideHold(_ orderRef: String, release: Bool, by person: String, note: String?, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard try !tx.query("SELECT 1 FROM authorisers WHERE name = $1", [.text(person)]).isEmpty else {
            throw Refusal(.notAuthorised, "\(person) may not release or reject credit holds")
        }
        guard let row = try tx.query("SELECT customer_code, total, status, correlation_id FROM orders WHERE order_ref = $1 FOR UPDATE",
                                     [.text(orderRef)]).first else {
            throw Refusal(.notFound, "risk has no order \(orderRef)")
        }
        let status = try row.string("status")
        guard status == "held" else { throw Refusal(.notHeld, "order \(orderRef) is \(status), not held") }
        let customer = try row.string("customer_code")
        try lockCustomer(customer, tx)
        let exposure = try exposure(of: customer, excluding: orderRef, tx) + row.int("total")
        let outcome: CreditOutcome = release ? .approve
            : .reject(code: .creditReviewRejected, message: note ?? "rejected on review by \(person)")
        work.correlate(with: try row.optionalString("correlation_id"))
        try record(orderRef, customer, outcome, exposure: exposure, profile: try loadProfile(customer, tx), by: person, work)
    }

    static func cancelled(_ event: OrderCancelled, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO orders (order_ref, customer_code, total, currency, status) VALUES ($1, $2, 0, 'XXX', 'cancelled')
            ON CONFLICT (order_ref) DO UPDATE SET status = 'cancelled', updated_at = now()
            """, [.text(event.orderRef), .text(event.customerCode)])
    }

    // MARK: receivables

    static func invoiceIssued(_ event: InvoiceIssued, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO invoices (invoice_number, order_ref, customer_code, amount, outstanding) VALUES ($1, $2, $3, $4, $4)
            ON CONFLICT (invoice_number) DO UPDATE SET order_ref = $2, customer_code = $3, amount = $4
            """, [.text(event.invoiceNumber), .text(event.orderRef), .text(event.customerCode), .int(event.amount)])
    }

    static func paymentReceived(_ event: PaymentReceived, _ work: UnitOfWork) throws {
        try apply(event.allocations, work.transaction)
    }

    static func creditApplied(_ event: CreditApplied, _ work: UnitOfWork) throws {
        try apply(event.allocations, work.transaction)
    }

    static func creditNoteIssued(_ event: CreditNoteIssued, _ work: UnitOfWork) throws {
        try apply(event.allocations, work.transaction)
    }

    static func invoiceVoided(_ event: InvoiceVoided, _ work: UnitOfWork) throws {
        try apply([Allocation(invoiceNumber: event.invoiceNumber, amount: event.amount, outstanding: 0)], work.transaction)
    }

    /// Outstanding amounts only fall, so the smaller figure wins whatever order events come in.
    static func apply(_ allocations: [Allocation], _ tx: Transaction) throws {
        for allocation in allocations {
            try tx.execute("""
                INSERT INTO invoices (invoice_number, outstanding) VALUES ($1, $2)
                ON CONFLICT (invoice_number) DO UPDATE SET outstanding = LEAST(invoices.outstanding, $2)
                """, [.text(allocation.invoiceNumber), .int(allocation.outstanding)])
        }
    }

    /// An overdue invoice lowers the rating one step (once per invoice) and puts the customer on hold.
    static func invoiceOverdue(_ event: InvoiceOverdue, _ work: UnitOfWork) throws {
        let tx = work.transaction
        let first = try tx.query("""
            INSERT INTO invoices (invoice_number, order_ref, customer_code, outstanding, overdue) VALUES ($1, $2, $3, $4, true)
            ON CONFLICT (invoice_number) DO UPDATE SET overdue = true WHERE NOT invoices.overdue RETURNING invoice_number
            """, [.text(event.invoiceNumber), .text(event.orderRef), .text(event.customerCode), .int(event.outstanding)])
        guard !first.isEmpty else { return }
        guard let profile = try loadProfile(event.customerCode, tx, lock: true) else {
            work.logger.warning("overdue invoice for a customer without a credit profile",
                                   metadata: ["customer": "\(event.customerCode)"])
            return
        }
        let reason = "invoice \(event.invoiceNumber) overdue \(event.daysOverdue) days (\(event.outstanding) outstanding)"
        let rating = profile.rating.lowered
        try tx.execute("""
            UPDATE credit_profiles SET rating = $2, on_hold = true, hold_reason = $3, updated_at = now() WHERE customer_code = $1
            """, [.text(event.customerCode), .text(rating.rawValue), .text(reason)])
        try log(event.customerCode, event.orderRef, "rating \(profile.rating.rawValue)→\(rating.rawValue), on hold", reason,
                exposure: nil, by: nil, tx)
        try work.publish(CustomerRatingChanged(customerCode: event.customerCode, previousRating: profile.rating.rawValue,
                                                  rating: rating.rawValue, onHold: true, reason: reason))
        work.logger.notice("customer put on credit hold", metadata: ["customer": "\(event.customerCode)", "rating": "\(rating.rawValue)"])
    }

    /// An authorised person lifts a customer's hold (the rating stays as it is).
    static func releaseCustomer(_ customer: String, by person: String, note: String?, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard try !tx.query("SELECT 1 FROM authorisers WHERE name = $1", [.text(person)]).isEmpty else {
            throw Refusal(.notAuthorised, "\(person) may not release credit holds")
        }
        guard let profile = try loadProfile(customer, tx, lock: true) else { throw Refusal(.notFound, "no credit profile for \(customer)") }
        guard profile.onHold else { throw Refusal(.notHeld, "customer \(customer) is not on hold") }
        try tx.execute("UPDATE credit_profiles SET on_hold = false, hold_reason = NULL, updated_at = now() WHERE customer_code = $1",
                       [.text(customer)])
        try log(customer, nil, "hold released", note ?? "released", exposure: nil, by: person, tx)
        try work.publish(CustomerRatingChanged(customerCode: customer, previousRating: profile.rating.rawValue,
                                               rating: profile.rating.rawValue, onHold: false, reason: "released by \(person)"))
    }

    // MARK: reading

    static func lockCustomer(_ customer: String, _ tx: Transaction) throws {
        try tx.execute("SELECT pg_advisory_xact_lock(hashtext('risk:' || $1))", [.text(customer)])
    }

    static func loadProfile(_ customer: String, _ tx: Transaction, lock: Bool = false) throws -> CreditProfile? {
        guard let row = try tx.query("SELECT credit_limit, rating, on_hold FROM credit_profiles WHERE customer_code = $1"
                                     + (lock ? " FOR UPDATE" : ""), [.text(customer)]).first else { return nil }
        return CreditProfile(customerCode: customer, creditLimit: try row.int("credit_limit"),
                             rating: try row.code("rating", as: Rating.self), onHold: try row.bool("on_hold"))
    }

    /// Open receivables + the uninvoiced part of open (approved or held) orders.
    static func exposure(of customer: String, excluding orderRef: String, _ tx: Transaction) throws -> Int64 {
        try tx.query(exposureSQL, [.text(customer), .text(orderRef)]).first!.int("exposure")
    }

    static let exposureSQL = """
        SELECT (COALESCE((SELECT sum(GREATEST(o.total - COALESCE((SELECT sum(i.amount) FROM invoices i
                                                                  WHERE i.order_ref = o.order_ref), 0), 0))
                          FROM orders o WHERE o.customer_code = $1 AND o.status IN ('approved', 'held')
                                          AND o.order_ref <> $2), 0)
              + COALESCE((SELECT sum(outstanding) FROM invoices WHERE customer_code = $1), 0))::bigint AS exposure
        """

    static func log(_ customer: String, _ orderRef: String?, _ action: String, _ detail: String, exposure: Int64?,
                    by: String?, _ tx: Transaction) throws {
        try tx.execute("""
            INSERT INTO credit_log (customer_code, order_ref, action, detail, exposure, by_whom) VALUES ($1, $2, $3, $4, $5, $6)
            """, [.text(customer), orderRef.map(PGValue.text) ?? .null, .text(action), .text(detail),
                  exposure.map(PGValue.int) ?? .null, by.map(PGValue.text) ?? .null])
    }
}
