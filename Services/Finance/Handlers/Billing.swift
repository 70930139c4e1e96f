import Contracts
import FinanceDomain
import Foundation
import Messaging
import Storage

/// Receivables on the order path: deposits and prepayments when an order is accepted,
/// the invoice on delivery, payments, cancellations, credit notes for returns, collections.
enum Billing {

    static func terms(_ customer: String, _ tx: Transaction) throws -> PaymentTerms {
        guard let row = try tx.query("SELECT kind, deposit_percent, net_days FROM terms WHERE customer_code = $1", [.text(customer)]).first
        else { return .standard }
        let kind = try row.string("kind")
        guard let terms = PaymentTerms(kind: kind, depositPercent: try row.int("deposit_percent"), netDays: Int(try row.int("net_days")))
        else { throw PostgresError(.decoding, message: "terms of \(customer): \"\(kind)\" with these figures are not valid payment terms") }
        return terms
    }

    static func accepted(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        let tx = work.transaction
        let fresh = try tx.query("""
            INSERT INTO orders (order_ref, customer_code, currency, total, lines, status, correlation_id)
            VALUES ($1, $2, $3, $4, $5, 'open', $6) ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .text(order.currency), .int(order.total),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.lines), as: UTF8.self)),
                  .text(work.cause.correlationId ?? order.orderRef)])
        guard !fresh.isEmpty else { return }
        let today = BusinessDate(work.time)
        guard let plan = try terms(order.customerCode, tx).invoiceOnAcceptance(total: order.total, on: today) else {
            // Nothing to pay before delivery: the goods may go.
            try work.publish(OrderCleared(orderRef: order.orderRef, customerCode: order.customerCode, reason: "net-terms"))
            return
        }
        let number = try issue(plan, order: order.orderRef, customer: order.customerCode, currency: order.currency, on: today,
                               work)
        if plan.kind.isAdvance {
            try work.publish(DepositRequested(orderRef: order.orderRef, customerCode: order.customerCode, invoiceNumber: number,
                                                 amount: plan.amount, currency: order.currency, dueDate: plan.dueDate))
        }
    }

    /// Writes an invoice with its journal entry and announces it.
    static func issue(_ plan: PlannedInvoice, order: String, customer: String, currency: String, on day: BusinessDate,
                      _ work: UnitOfWork) throws -> String {
        let tx = work.transaction
        let number = try Books.nextNumber("INV", "invoice_number_seq", tx)
        try tx.execute("""
            INSERT INTO invoices (number, order_ref, customer_code, kind, amount, outstanding, currency, issue_date, due_date, status)
            VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, 'open')
            """, [.text(number), .text(order), .text(customer), .text(plan.kind.rawValue), .int(plan.amount), .text(currency),
                  .date(day.description), .date(plan.dueDate.description)])
        // Advances are owed to the customer until delivery; the final invoice earns revenue.
        let credit = plan.kind.isAdvance ? Account.customerAdvances : Account.revenue
        try Books.post(tx, date: day, memo: "\(plan.kind) invoice \(number) for order \(order)", reference: number, currency: currency,
                       [.init(account: Account.receivables, debit: plan.amount), .init(account: credit, credit: plan.amount)])
        try work.publish(InvoiceIssued(invoiceNumber: number, orderRef: order, customerCode: customer, kind: plan.kind,
                                       amount: plan.amount, currency: currency, issueDate: day, dueDate: plan.dueDate))
        work.logger.info("invoice issued", metadata: ["invoice": "\(number)", "order_ref": "\(order)", "amount": "\(plan.amount)"])
        try applyCredit(to: number, amount: plan.amount, order: order, customer: customer, currency: currency, on: day, work)
        return number
    }

    /// Money the customer has with us already (overpaid, paid before the invoice existed,
    /// credited) pays a new invoice first.
    static func applyCredit(to number: String, amount: Int64, order: String, customer: String, currency: String,
                            on day: BusinessDate, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let balance = try tx.query("""
            SELECT balance FROM customer_credit WHERE customer_code = $1 AND currency = $2 FOR UPDATE
            """, [.text(customer), .text(currency)]).first?.int("balance"), balance > 0 else { return }
        let applied = min(balance, amount)
        let allocation = Allocation(invoiceNumber: number, amount: applied, outstanding: amount - applied)
        let paidOff = try Books.apply([allocation], source: "credit", reference: "CREDIT-\(number)", tx)
        try Books.credit(tx, customer: customer, currency: currency, by: -applied)
        try Books.post(tx, date: day, memo: "customer credit applied to invoice \(number) for order \(order)",
                       reference: number, currency: currency,
                       [.init(account: Account.customerCredit, debit: applied), .init(account: Account.receivables, credit: applied)])
        try work.publish(CreditApplied(customerCode: customer, orderRef: order, amount: applied, currency: currency,
                                       allocations: [allocation], creditLeft: balance - applied))
        try announcePaid(paidOff, work)
        work.logger.info("customer credit applied", metadata: ["invoice": "\(number)", "applied": "\(applied)"])
    }

    /// Signed delivery: invoice what the advances did not cover, and recognise the advances as revenue.
    static func delivered(_ event: ShipmentDelivered, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let order = try tx.query("""
            SELECT customer_code, currency, total, status FROM orders WHERE order_ref = $1 FOR UPDATE
            """, [.text(event.orderRef)]).first else {
            // The acceptance has not reached finance yet: try again later.
            throw RetryLater("finance has not seen order \(event.orderRef) accepted yet")
        }
        guard try order.string("status") == "open" else { return }
        let customer = try order.string("customer_code"), currency = try order.string("currency"), total = try order.int("total")
        try tx.execute("UPDATE orders SET status = 'delivered', delivered_on = $2 WHERE order_ref = $1",
                       [.text(event.orderRef), .date(event.deliveredOn.description)])
        let advances = try tx.query("""
            SELECT COALESCE(sum(amount), 0) AS advanced FROM invoices WHERE order_ref = $1 AND kind <> 'final' AND status <> 'void'
            """, [.text(event.orderRef)]).first!.int("advanced")
        if advances > 0 {
            try Books.post(tx, date: event.deliveredOn, memo: "advances on order \(event.orderRef) earned on delivery",
                           reference: event.orderRef, currency: currency,
                           [.init(account: Account.customerAdvances, debit: advances), .init(account: Account.revenue, credit: advances)])
        }
        if let plan = try terms(customer, tx).invoiceOnDelivery(total: total, alreadyInvoiced: advances, deliveredOn: event.deliveredOn) {
            _ = try issue(plan, order: event.orderRef, customer: customer, currency: currency, on: event.deliveredOn, work)
        }
        if try Books.orderSettled(event.orderRef, tx) {
            work.logger.info("order delivered and already paid", metadata: ["order_ref": "\(event.orderRef)"])
        }
    }

    /// `payment.record` (or the API): recorded once per bank reference, allocated to the named
    /// invoice, then the order's other open invoices, oldest due first; the rest is customer credit.
    @discardableResult
    static func record(_ payment: RecordPayment, _ work: UnitOfWork) throws -> PaymentReceived? {
        let tx = work.transaction
        if let existing = try tx.query("SELECT amount FROM payments WHERE bank_reference = $1", [.text(payment.bankReference)]).first {
            guard try existing.int("amount") == payment.amount else {
                throw Refusal(.conflictingPayment, "bank reference \(payment.bankReference) was recorded with another amount")
            }
            work.logger.info("payment already recorded", metadata: ["bank_reference": "\(payment.bankReference)"])
            return nil
        }
        let target = try tx.query("""
            SELECT o.order_ref, o.customer_code, o.currency, o.correlation_id FROM orders o
            WHERE o.order_ref = COALESCE((SELECT order_ref FROM invoices WHERE number = $1), $2)
            """, [payment.invoiceNumber.map(PGValue.text) ?? .null, payment.orderRef.map(PGValue.text) ?? .null]).first
        let orderRef = try target?.string("order_ref"), customer = try target?.string("customer_code")
        var allocations: [Allocation] = [], rest = payment.amount
        if let target, try target.optionalString("currency") == payment.currency {
            (allocations, rest) = PaymentAllocation.allocate(payment.amount,
                                                             to: try Books.openInvoices(orderRef: orderRef, first: payment.invoiceNumber, tx))
        }
        try tx.execute("""
            INSERT INTO payments (bank_reference, amount, currency, value_date, invoice_number, order_ref, customer_code, payer, unallocated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [.text(payment.bankReference), .int(payment.amount), .text(payment.currency), .date(payment.valueDate.description),
                  payment.invoiceNumber.map(PGValue.text) ?? .null, orderRef.map(PGValue.text) ?? .null,
                  customer.map(PGValue.text) ?? .null, payment.payer.map(PGValue.text) ?? .null, .int(rest)])
        let paidOff = try Books.apply(allocations, source: "payment", reference: payment.bankReference, tx)
        let allocated = payment.amount - rest
        // Overpayment of a known customer is their credit; money we cannot place waits in suspense.
        let restAccount = customer != nil ? Account.customerCredit : Account.suspense
        if let customer { try Books.credit(tx, customer: customer, currency: payment.currency, by: rest) }
        try Books.post(tx, date: payment.valueDate, memo: "payment \(payment.bankReference)", reference: payment.bankReference,
                       currency: payment.currency,
                       [.init(account: Account.bank, debit: payment.amount), .init(account: Account.receivables, credit: allocated),
                        .init(account: restAccount, credit: rest)])
        work.correlate(with: try target?.optionalString("correlation_id"))
        let event = PaymentReceived(bankReference: payment.bankReference, customerCode: customer, orderRef: orderRef,
                                    amount: payment.amount, currency: payment.currency, allocations: allocations, unallocated: rest)
        try work.publish(event)
        try announcePaid(paidOff, work)
        if target == nil {
            work.logger.warning("payment with an unknown reference kept as unallocated",
                                metadata: ["bank_reference": "\(payment.bankReference)", "amount": "\(payment.amount)"])
        } else {
            work.logger.info("payment recorded", metadata: ["bank_reference": "\(payment.bankReference)",
                                                            "allocated": "\(allocated)", "credit": "\(rest)"])
        }
        return event
    }

    static func announcePaid(_ invoices: [String], _ work: UnitOfWork) throws {
        for number in invoices {
            let row = try work.transaction.query("SELECT order_ref, customer_code, kind, amount FROM invoices WHERE number = $1",
                                                 [.text(number)]).first!
            let orderRef = try row.string("order_ref"), customer = try row.string("customer_code")
            let kind = try InvoiceKind.known(try row.string("kind"))
            try work.publish(InvoicePaid(invoiceNumber: number, orderRef: orderRef, customerCode: customer,
                                         kind: kind, amount: try row.int("amount"),
                                         orderSettled: try Books.orderSettled(orderRef, work.transaction)))
            // The last advance paid (and the order still open): the goods may go.
            if kind.isAdvance, try work.transaction.query("""
                SELECT 1 FROM orders o WHERE o.order_ref = $1 AND o.status = 'open' AND NOT EXISTS (
                    SELECT 1 FROM invoices i WHERE i.order_ref = o.order_ref AND i.kind <> 'final' AND i.status = 'open')
                """, [.text(orderRef)]).first != nil {
                try work.publish(OrderCleared(orderRef: orderRef, customerCode: customer, reason: "advance-paid"))
            }
        }
    }

    /// A cancelled order: unpaid advances are voided; what was paid becomes customer credit.
    static func cancelled(_ event: OrderCancelled, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let order = try tx.query("SELECT status, currency FROM orders WHERE order_ref = $1 FOR UPDATE", [.text(event.orderRef)]).first else {
            try tx.execute("INSERT INTO orders (order_ref, customer_code, status) VALUES ($1, $2, 'cancelled')",
                           [.text(event.orderRef), .text(event.customerCode)])
            return
        }
        guard try order.string("status") == "open" else { return }
        try tx.execute("UPDATE orders SET status = 'cancelled' WHERE order_ref = $1", [.text(event.orderRef)])
        let today = BusinessDate(work.time)
        for invoice in try tx.query("""
            SELECT number, amount, outstanding, currency FROM invoices WHERE order_ref = $1 AND status <> 'void' FOR UPDATE
            """, [.text(event.orderRef)]) {
            let number = try invoice.string("number"), amount = try invoice.int("amount")
            let outstanding = try invoice.int("outstanding"), currency = try invoice.string("currency")
            let paid = amount - outstanding
            try tx.execute("UPDATE invoices SET status = 'void', outstanding = 0 WHERE number = $1", [.text(number)])
            try Books.credit(tx, customer: event.customerCode, currency: currency, by: paid)
            try Books.post(tx, date: today, memo: "invoice \(number) voided: order \(event.orderRef) cancelled", reference: number,
                           currency: currency,
                           [.init(account: Account.customerAdvances, debit: amount), .init(account: Account.receivables, credit: outstanding),
                            .init(account: Account.customerCredit, credit: paid)])
            try work.publish(InvoiceVoided(invoiceNumber: number, orderRef: event.orderRef, customerCode: event.customerCode,
                                              amount: amount))
        }
    }

    /// Returned goods received: a credit note at the order's prices, set against what is
    /// still owed on the order; the rest is the customer's credit.
    static func returnReceived(_ event: ReturnReceived, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let order = try tx.query("SELECT customer_code, currency, lines::text AS lines FROM orders WHERE order_ref = $1",
                                       [.text(event.orderRef)]).first, let linesText = try order.optionalString("lines") else {
            throw RetryLater("finance has not seen order \(event.orderRef) accepted yet: nothing to credit")
        }
        let lines = try JSONDecoder.contracts.decode([OrderPlaced.Line].self, from: Data(linesText.utf8))
        var amount: Int64 = 0
        for item in event.lines {
            // The same SKU may sit on several lines at different prices: credit its average price.
            let sold = lines.filter { $0.sku == item.sku }
            let quantity = sold.reduce(Int64(0)) { $0 + $1.quantity }, charged = sold.reduce(Int64(0)) { $0 + $1.lineTotal }
            guard quantity > 0 else { throw Poison(.unknownSku, "order \(event.orderRef) has no line for \(item.sku)") }
            guard item.quantity <= quantity else {
                throw Poison(.invalidReturn, "\(item.quantity) × \(item.sku) returned, only \(quantity) sold on \(event.orderRef)")
            }
            amount += item.quantity == quantity ? charged : charged / quantity * item.quantity
        }
        guard amount > 0 else { return }
        let customer = try order.string("customer_code"), currency = try order.string("currency")
        let number = try Books.nextNumber("CN", "credit_note_number_seq", tx)
        let fresh = try tx.query("""
            INSERT INTO credit_notes (number, order_ref, customer_code, case_id, return_id, amount, currency, issue_date)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (return_id) DO NOTHING RETURNING number
            """, [.text(number), .text(event.orderRef), .text(customer), .uuid(event.caseId), .uuid(event.returnId), .int(amount),
                  .text(currency), .date(BusinessDate(work.time).description)])
        guard !fresh.isEmpty else { return }
        let (allocations, rest) = PaymentAllocation.allocate(amount, to: try Books.openInvoices(orderRef: event.orderRef, first: nil, tx))
        let paidOff = try Books.apply(allocations, source: "credit-note", reference: number, tx)
        try Books.credit(tx, customer: customer, currency: currency, by: rest)
        try Books.post(tx, date: BusinessDate(work.time), memo: "credit note \(number) for return on \(event.orderRef)",
                       reference: number, currency: currency,
                       [.init(account: Account.returns, debit: amount), .init(account: Account.receivables, credit: amount - rest),
                        .init(account: Account.customerCredit, credit: rest)])
        try work.publish(CreditNoteIssued(creditNoteNumber: number, orderRef: event.orderRef, customerCode: customer,
                                             caseId: event.caseId, amount: amount, currency: currency, allocations: allocations,
                                             customerCredit: rest))
        // A credit note that clears an invoice settles it like a payment would (the order may complete).
        try announcePaid(paidOff, work)
        work.logger.info("credit note issued", metadata: ["credit_note": "\(number)", "order_ref": "\(event.orderRef)"])
    }

    /// Marks invoices overdue as of a day (once each) and announces them to risk and sales.
    static func collections(asOf: BusinessDate, _ work: UnitOfWork) throws -> [InvoiceOverdue] {
        let tx = work.transaction
        var found: [InvoiceOverdue] = []
        for row in try tx.query("""
            UPDATE invoices i SET overdue_on = $1 FROM orders o
            WHERE i.order_ref = o.order_ref AND i.status = 'open' AND i.outstanding > 0 AND i.due_date < $1 AND i.overdue_on IS NULL
            RETURNING i.number, i.order_ref, i.customer_code, i.outstanding, i.currency, i.due_date, o.correlation_id
            """, [.date(asOf.description)]) {
            let event = InvoiceOverdue(invoiceNumber: try row.string("number"), orderRef: try row.string("order_ref"),
                                       customerCode: try row.string("customer_code"), outstanding: try row.int("outstanding"),
                                       currency: try row.string("currency"), dueDate: BusinessDate(try row.date("due_date"))!, asOf: asOf)
            try work.publish(event, correlationId: try row.optionalString("correlation_id"))
            found.append(event)
        }
        work.logger.info("collections run", metadata: ["as_of": "\(asOf)", "overdue": "\(found.count)"])
        return found
    }
}
