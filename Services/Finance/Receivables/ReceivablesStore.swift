import Contracts
import FinanceDomain
import Foundation
import Messaging
import Storage

/// An order as finance keeps it.
struct FinanceOrder: Sendable, Equatable {
    let ref: String
    let customer: String
    let currency: String?
    let total: Int64?
    let status: FinanceOrderStatus
}

/// Every statement finance runs on orders, invoices, payments and credit notes, behind typed
/// methods, inside the work's transaction (the journal and numbering are in `JournalStore`, allocations and credit in `SettlementStore`).
struct ReceivablesStore {
    let tx: Transaction

    // MARK: terms and orders

    /// The customer's terms; the standard ones when none are set.
    func terms(_ customer: String) throws -> PaymentTerms {
        guard let row = try tx.query("SELECT kind, deposit_percent, net_days FROM terms WHERE customer_code = $1", [.text(customer)]).first
        else { return .standard }
        let kind = try row.string("kind")
        guard let terms = PaymentTerms(kind: kind, depositPercent: try row.int("deposit_percent"), netDays: Int(try row.int("net_days")))
        else { throw PostgresError(.decoding, message: "terms of \(customer): \"\(kind)\" with these figures are not valid payment terms") }
        return terms
    }

    /// A customer's terms as saved, as JSON: what the change log keeps.
    func termsSnapshot(_ customer: String) throws -> String {
        try tx.query("SELECT to_jsonb(t)::text AS change FROM terms t WHERE t.customer_code = $1", [.text(customer)]).first!.string("change")
    }

    func saveTerms(_ customer: String, kind: String, depositPercent: Int64, netDays: Int) throws {
        try tx.execute("""
            INSERT INTO terms (customer_code, kind, deposit_percent, net_days) VALUES ($1, $2, $3, $4)
            ON CONFLICT (customer_code) DO UPDATE SET kind = $2, deposit_percent = $3, net_days = $4
            """, [.text(customer), .text(kind), .int(depositPercent), .int(Int64(netDays))])
    }

    /// False when finance knows the order already.
    func takeIn(_ order: OrderAccepted, correlationId: String) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (order_ref, customer_code, currency, total, lines, status, correlation_id, contract_no)
            VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .text(order.currency), .int(order.total),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.lines), as: UTF8.self)), .text(correlationId),
                  order.contractNo.map(PGValue.text) ?? .null]).isEmpty
    }

    /// The terms an order is billed on: its contract's when it is under one, else the customer's.
    /// A contract finance has not seen signed yet (its event still on the way) is retried later.
    func terms(forOrder ref: String, customer: String) throws -> PaymentTerms {
        guard let row = try tx.query("""
            SELECT o.contract_no, c.payment_terms::text AS payment_terms FROM orders o
            LEFT JOIN contracts c ON c.contract_no = o.contract_no WHERE o.order_ref = $1
            """, [.text(ref)]).first, let contractNo = try row.optionalString("contract_no") else { return try terms(customer) }
        guard let text = try row.optionalString("payment_terms") else {
            throw RetryLater("order \(ref) is under contract \(contractNo), which finance has not seen signed yet")
        }
        let agreed = try JSONDecoder.contracts.decode(AgreedPaymentTerms.self, from: Data(text.utf8))
        guard let terms = PaymentTerms(kind: agreed.kind, depositPercent: agreed.depositPercent ?? 0, netDays: Int(agreed.netDays ?? 0)) else {
            throw Poison(.databaseRejected, "contract \(contractNo)'s payment terms \(text) are not terms finance can invoice")
        }
        return terms
    }

    /// A cancellation that came before the acceptance: remembered, so nothing is invoiced later.
    /// False when the acceptance won a race and the order exists now (go the normal way).
    func rememberCancelled(_ ref: String, customer: String) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (order_ref, customer_code, status) VALUES ($1, $2, 'cancelled') ON CONFLICT DO NOTHING RETURNING order_ref
            """, [.text(ref), .text(customer)]).isEmpty
    }

    func lockOrder(_ ref: String) throws -> FinanceOrder? {
        try tx.query("SELECT order_ref, customer_code, currency, total, status FROM orders WHERE order_ref = $1 FOR UPDATE", [.text(ref)])
            .first.map { r in
                FinanceOrder(ref: try r.string("order_ref"), customer: try r.string("customer_code"), currency: try r.optionalString("currency"),
                             total: try r.optionalInt("total"), status: try r.code("status", as: FinanceOrderStatus.self))
            }
    }

    func setStatus(_ ref: String, _ status: FinanceOrderStatus, deliveredOn: BusinessDate? = nil) throws {
        try tx.execute("UPDATE orders SET status = $2, delivered_on = COALESCE($3::date, delivered_on) WHERE order_ref = $1",
                       [.text(ref), .text(status.rawValue), deliveredOn.map { .date($0.description) } ?? .null])
    }

    /// What the order's lines were sold for (returns are credited at these prices); nil when unknown.
    func soldLines(_ ref: String) throws -> (customer: String, currency: String, lines: [OrderPlaced.Line])? {
        guard let row = try tx.query("SELECT customer_code, currency, lines::text AS lines FROM orders WHERE order_ref = $1", [.text(ref)]).first,
              let lines = try row.optionalString("lines"), let currency = try row.optionalString("currency") else { return nil }
        return (try row.string("customer_code"), currency, try JSONDecoder.contracts.decode([OrderPlaced.Line].self, from: Data(lines.utf8)))
    }

    // MARK: invoices

    func addInvoice(_ number: String, _ plan: PlannedInvoice, order: String, customer: String, currency: String, issued day: BusinessDate) throws {
        try tx.execute("""
            INSERT INTO invoices (number, order_ref, customer_code, kind, amount, outstanding, currency, issue_date, due_date, status)
            VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, 'open')
            """, [.text(number), .text(order), .text(customer), .text(plan.kind.rawValue), .int(plan.amount), .text(currency),
                  .date(day.description), .date(plan.dueDate.description)])
    }

    func invoice(_ number: String) throws -> (order: String, customer: String, kind: InvoiceKind, amount: Int64) {
        let row = try tx.query("SELECT order_ref, customer_code, kind, amount FROM invoices WHERE number = $1", [.text(number)]).first!
        return (try row.string("order_ref"), try row.string("customer_code"), try row.code("kind", as: InvoiceKind.self), try row.int("amount"))
    }

    /// Advances (deposit, prepayment) invoiced on the order and not voided.
    func advancesInvoiced(_ ref: String) throws -> Int64 {
        try tx.query("""
            SELECT COALESCE(sum(amount), 0) AS advanced FROM invoices WHERE order_ref = $1 AND kind <> 'final' AND status <> 'void'
            """, [.text(ref)]).first!.int("advanced")
    }

    /// The order's status and how many of its advances are still open, in one statement (the
    /// clearance rule asks both after every paid invoice); nil when finance has no such order.
    func clearanceState(_ ref: String) throws -> (status: FinanceOrderStatus, openAdvances: Int)? {
        try tx.query("""
            SELECT o.status, (SELECT count(*) FROM invoices i WHERE i.order_ref = o.order_ref AND i.kind <> 'final' AND i.status = 'open') AS n
            FROM orders o WHERE o.order_ref = $1
            """, [.text(ref)]).first.map { (try $0.code("status", as: FinanceOrderStatus.self), Int(try $0.int("n"))) }
    }

    /// The order's invoices not voided, locked.
    func lockLiveInvoices(_ ref: String) throws -> [(number: String, amount: Int64, outstanding: Int64, currency: String)] {
        try tx.query("SELECT number, amount, outstanding, currency FROM invoices WHERE order_ref = $1 AND status <> 'void' ORDER BY number FOR UPDATE",
                     [.text(ref)]).map { (try $0.string("number"), try $0.int("amount"), try $0.int("outstanding"), try $0.string("currency")) }
    }

    func void(_ number: String) throws {
        try tx.execute("UPDATE invoices SET status = 'void', outstanding = 0 WHERE number = $1", [.text(number)])
    }

    /// Marks open invoices due before `asOf` overdue (once each); returns them with their order's correlation.
    func markOverdue(asOf: BusinessDate) throws -> [(event: InvoiceOverdue, correlationId: String?)] {
        try tx.query("""
            UPDATE invoices i SET overdue_on = $1 FROM orders o
            WHERE i.order_ref = o.order_ref AND i.status = 'open' AND i.outstanding > 0 AND i.due_date < $1 AND i.overdue_on IS NULL
            RETURNING i.number, i.order_ref, i.customer_code, i.outstanding, i.currency, i.due_date, o.correlation_id
            """, [.date(asOf.description)]).map { r in
            (InvoiceOverdue(invoiceNumber: try r.string("number"), orderRef: try r.string("order_ref"), customerCode: try r.string("customer_code"),
                            outstanding: try r.int("outstanding"), currency: try r.string("currency"),
                            dueDate: BusinessDate(try r.date("due_date"))!, asOf: asOf),
             try r.optionalString("correlation_id"))
        }
    }

    // MARK: payments and credit

    func paymentAmount(_ bankReference: String) throws -> Int64? {
        try tx.query("SELECT amount FROM payments WHERE bank_reference = $1", [.text(bankReference)]).first.map { try $0.int("amount") }
    }

    /// The order a payment is for: the named invoice's, else the named order.
    func paymentTarget(invoice: String?, order: String?) throws -> (order: String, customer: String, currency: String?, correlationId: String?)? {
        try tx.query("""
            SELECT o.order_ref, o.customer_code, o.currency, o.correlation_id FROM orders o
            WHERE o.order_ref = COALESCE((SELECT order_ref FROM invoices WHERE number = $1), $2)
            """, [invoice.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null]).first.map { r in
            (try r.string("order_ref"), try r.string("customer_code"), try r.optionalString("currency"), try r.optionalString("correlation_id"))
        }
    }

    func addPayment(_ payment: RecordPayment, order: String?, customer: String?, unallocated: Int64) throws {
        try tx.execute("""
            INSERT INTO payments (bank_reference, amount, currency, value_date, invoice_number, order_ref, customer_code, payer, unallocated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [.text(payment.bankReference), .int(payment.amount), .text(payment.currency), .date(payment.valueDate.description),
                  payment.invoiceNumber.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null,
                  customer.map(PGValue.text) ?? .null, payment.payer.map(PGValue.text) ?? .null, .int(unallocated)])
    }

    /// The customer's credit in a currency, locked; nil when there is none.
    func lockCredit(_ customer: String, currency: String) throws -> Int64? {
        try tx.query("SELECT balance FROM customer_credit WHERE customer_code = $1 AND currency = $2 FOR UPDATE",
                     [.text(customer), .text(currency)]).first.map { try $0.int("balance") }
    }

    /// Once per return; false when this return was credited before.
    func addCreditNote(_ number: String, order: String, customer: String, caseId: UUID, returnId: UUID, amount: Int64, currency: String,
                       issued day: BusinessDate) throws -> Bool {
        try !tx.query("""
            INSERT INTO credit_notes (number, order_ref, customer_code, case_id, return_id, amount, currency, issue_date)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (return_id) DO NOTHING RETURNING number
            """, [.text(number), .text(order), .text(customer), .uuid(caseId), .uuid(returnId), .int(amount), .text(currency),
                  .date(day.description)]).isEmpty
    }
}
