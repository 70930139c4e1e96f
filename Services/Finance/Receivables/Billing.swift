import Contracts
import FinanceDomain
import Foundation
import Messaging
import ServiceKit
import Storage

/// Receivables on the order path: deposits and prepayments when an order is accepted,
/// the invoice on delivery, payments, cancellations, credit notes for returns, collections.
/// Each handler loads through the store, decides in the domain, saves, posts, publishes.
enum Billing {
    static func accepted(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        let store = ReceivablesStore(tx: work.transaction)
        guard try store.takeIn(order, correlationId: work.cause.correlationId ?? order.orderRef) else { return }
        let today = BusinessDate(work.time)
        let plan = try store.terms(forOrder: order.orderRef, customer: order.customerCode).invoiceOnAcceptance(total: order.total, on: today)
        if DispatchClearing.clearsAtAcceptance(plan) {
            // Nothing to pay before delivery: the goods may go.
            try work.publish(OrderCleared(orderRef: order.orderRef, customerCode: order.customerCode, reason: "net-terms"))
        }
        guard let plan else { return }
        let number = try issue(plan, order: order.orderRef, customer: order.customerCode, currency: order.currency, on: today, work)
        if plan.kind.isAdvance {
            try work.publish(DepositRequested(orderRef: order.orderRef, customerCode: order.customerCode, invoiceNumber: number,
                                              amount: plan.amount, currency: order.currency, dueDate: plan.dueDate))
        }
    }

    /// Writes an invoice with its journal entry and announces it.
    static func issue(_ plan: PlannedInvoice, order: String, customer: String, currency: String, on day: BusinessDate,
                      _ work: UnitOfWork) throws -> String {
        let tx = work.transaction
        let number = try JournalStore.nextNumber("INV", "invoice_number_seq", tx)
        try ReceivablesStore(tx: tx).addInvoice(number, plan, order: order, customer: customer, currency: currency, issued: day)
        // Advances are owed to the customer until delivery; the final invoice earns revenue.
        let credit = plan.kind.isAdvance ? Account.customerAdvances : Account.revenue
        try JournalStore.post(tx, date: day, memo: "\(plan.kind) invoice \(number) for order \(order)", reference: number, currency: currency,
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
        guard let balance = try ReceivablesStore(tx: tx).lockCredit(customer, currency: currency), balance > 0 else { return }
        let applied = min(balance, amount)
        let allocation = Allocation(invoiceNumber: number, amount: applied, outstanding: amount - applied)
        let paidOff = try SettlementStore.apply([allocation], source: "credit", reference: "CREDIT-\(number)", tx)
        try SettlementStore.credit(tx, customer: customer, currency: currency, by: -applied)
        try JournalStore.post(tx, date: day, memo: "customer credit applied to invoice \(number) for order \(order)",
                       reference: number, currency: currency,
                       [.init(account: Account.customerCredit, debit: applied), .init(account: Account.receivables, credit: applied)])
        try work.publish(CreditApplied(customerCode: customer, orderRef: order, amount: applied, currency: currency,
                                       allocations: [allocation], creditLeft: balance - applied))
        try announcePaid(paidOff, work)
        work.logger.info("customer credit applied", metadata: ["invoice": "\(number)", "applied": "\(applied)"])
    }

    /// Signed delivery: invoice what the advances did not cover, and recognise the advances as revenue.
    static func delivered(_ event: ShipmentDelivered, _ work: UnitOfWork) throws {
        let tx = work.transaction, store = ReceivablesStore(tx: tx)
        // The acceptance has not reached finance yet: try again later.
        guard let order = try store.lockOrder(event.orderRef) else {
            throw RetryLater("finance has not seen order \(event.orderRef) accepted yet")
        }
        guard let next = order.status.after(.delivered) else { return }  // delivered already, or cancelled
        guard let currency = order.currency, let total = order.total else {
            throw Poison(.databaseRejected, "open order \(event.orderRef) has no currency or total")
        }
        try store.setStatus(event.orderRef, next, deliveredOn: event.deliveredOn)
        let advances = try store.advancesInvoiced(event.orderRef)
        if advances > 0 {
            try JournalStore.post(tx, date: event.deliveredOn, memo: "advances on order \(event.orderRef) earned on delivery",
                           reference: event.orderRef, currency: currency,
                           [.init(account: Account.customerAdvances, debit: advances), .init(account: Account.revenue, credit: advances)])
        }
        if let plan = try store.terms(forOrder: event.orderRef, customer: order.customer).invoiceOnDelivery(total: total, alreadyInvoiced: advances, deliveredOn: event.deliveredOn) {
            _ = try issue(plan, order: event.orderRef, customer: order.customer, currency: currency, on: event.deliveredOn, work)
        }
        if try SettlementStore.orderSettled(event.orderRef, tx) {
            work.logger.info("order delivered and already paid", metadata: ["order_ref": "\(event.orderRef)"])
        }
    }

    /// `payment.record` (or the API): recorded once per bank reference, allocated to the named
    /// invoice, then the order's other open invoices, oldest due first; the rest is customer credit.
    @discardableResult
    static func record(_ payment: RecordPayment, _ work: UnitOfWork) throws -> PaymentReceived? {
        let tx = work.transaction, store = ReceivablesStore(tx: tx)
        if let amount = try store.paymentAmount(payment.bankReference) {
            guard amount == payment.amount else {
                throw Refusal(.conflictingPayment, "bank reference \(payment.bankReference) was recorded with another amount")
            }
            work.logger.info("payment already recorded", metadata: ["bank_reference": "\(payment.bankReference)"])
            return nil
        }
        let target = try store.paymentTarget(invoice: payment.invoiceNumber, order: payment.orderRef)
        var allocations: [Allocation] = [], rest = payment.amount
        if let target, target.currency == payment.currency {
            (allocations, rest) = PaymentAllocation.allocate(payment.amount,
                                                             to: try SettlementStore.openInvoices(orderRef: target.order, first: payment.invoiceNumber, tx))
        }
        try store.addPayment(payment, order: target?.order, customer: target?.customer, unallocated: rest)
        let paidOff = try SettlementStore.apply(allocations, source: "payment", reference: payment.bankReference, tx)
        let allocated = payment.amount - rest
        // Overpayment of a known customer is their credit; money we cannot place waits in suspense.
        let restAccount = target != nil ? Account.customerCredit : Account.suspense
        if let customer = target?.customer { try SettlementStore.credit(tx, customer: customer, currency: payment.currency, by: rest) }
        try JournalStore.post(tx, date: payment.valueDate, memo: "payment \(payment.bankReference)", reference: payment.bankReference,
                       currency: payment.currency,
                       [.init(account: Account.bank, debit: payment.amount), .init(account: Account.receivables, credit: allocated),
                        .init(account: restAccount, credit: rest)])
        work.correlate(with: target?.correlationId)
        let event = PaymentReceived(bankReference: payment.bankReference, customerCode: target?.customer, orderRef: target?.order,
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

    /// Each invoice paid off is announced; the last advance of an order still open clears its goods.
    static func announcePaid(_ invoices: [String], _ work: UnitOfWork) throws {
        let store = ReceivablesStore(tx: work.transaction)
        for number in invoices {
            let invoice = try store.invoice(number)
            try work.publish(InvoicePaid(invoiceNumber: number, orderRef: invoice.order, customerCode: invoice.customer,
                                         kind: invoice.kind, amount: invoice.amount,
                                         orderSettled: try SettlementStore.orderSettled(invoice.order, work.transaction)))
            if invoice.kind.isAdvance, let state = try store.clearanceState(invoice.order),
               DispatchClearing.clearsAfterPayment(of: invoice.kind, order: state.status, openAdvances: state.openAdvances) {
                try work.publish(OrderCleared(orderRef: invoice.order, customerCode: invoice.customer, reason: "advance-paid"))
            }
        }
    }

    /// A cancelled order: unpaid advances are voided; what was paid becomes customer credit.
    static func cancelled(_ event: OrderCancelled, _ work: UnitOfWork) throws {
        let tx = work.transaction, store = ReceivablesStore(tx: tx)
        guard let order = try store.lockOrder(event.orderRef) else {
            guard try store.rememberCancelled(event.orderRef, customer: event.customerCode) else {
                // Its acceptance committed meanwhile: try again, and void what it invoiced.
                throw RetryLater("order \(event.orderRef) was being taken in while its cancellation arrived")
            }
            return
        }
        guard let next = order.status.after(.cancelled) else { return }
        try store.setStatus(event.orderRef, next)
        let today = BusinessDate(work.time)
        for invoice in try store.lockLiveInvoices(event.orderRef) {
            let paid = invoice.amount - invoice.outstanding
            try store.void(invoice.number)
            try SettlementStore.credit(tx, customer: event.customerCode, currency: invoice.currency, by: paid)
            try JournalStore.post(tx, date: today, memo: "invoice \(invoice.number) voided: order \(event.orderRef) cancelled", reference: invoice.number,
                           currency: invoice.currency,
                           [.init(account: Account.customerAdvances, debit: invoice.amount), .init(account: Account.receivables, credit: invoice.outstanding),
                            .init(account: Account.customerCredit, credit: paid)])
            try work.publish(InvoiceVoided(invoiceNumber: invoice.number, orderRef: event.orderRef, customerCode: event.customerCode,
                                           amount: invoice.amount))
        }
    }

    /// Returned goods received: a credit note at the order's prices, set against what is
    /// still owed on the order; the rest is the customer's credit.
    static func returnReceived(_ event: ReturnReceived, _ work: UnitOfWork) throws {
        let tx = work.transaction, store = ReceivablesStore(tx: tx)
        guard let sold = try store.soldLines(event.orderRef) else {
            throw RetryLater("finance has not seen order \(event.orderRef) accepted yet: nothing to credit")
        }
        var amount: Int64 = 0
        for item in event.lines {
            // The same SKU may sit on several lines at different prices: credit its average price.
            let lines = sold.lines.filter { $0.sku == item.sku }
            let quantity = lines.reduce(Int64(0)) { $0 + $1.quantity }, charged = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
            guard quantity > 0 else { throw Poison(.unknownSku, "order \(event.orderRef) has no line for \(item.sku)") }
            guard item.quantity <= quantity else {
                throw Poison(.invalidReturn, "\(item.quantity) × \(item.sku) returned, only \(quantity) sold on \(event.orderRef)")
            }
            amount += item.quantity == quantity ? charged : charged / quantity * item.quantity
        }
        guard amount > 0 else { return }
        let today = BusinessDate(work.time)
        let number = try JournalStore.nextNumber("CN", "credit_note_number_seq", tx)
        guard try store.addCreditNote(number, order: event.orderRef, customer: sold.customer, caseId: event.caseId, returnId: event.returnId,
                                      amount: amount, currency: sold.currency, issued: today) else { return }
        let (allocations, rest) = PaymentAllocation.allocate(amount, to: try SettlementStore.openInvoices(orderRef: event.orderRef, first: nil, tx))
        let paidOff = try SettlementStore.apply(allocations, source: "credit-note", reference: number, tx)
        try SettlementStore.credit(tx, customer: sold.customer, currency: sold.currency, by: rest)
        try JournalStore.post(tx, date: today, memo: "credit note \(number) for return on \(event.orderRef)", reference: number, currency: sold.currency,
                       [.init(account: Account.returns, debit: amount), .init(account: Account.receivables, credit: amount - rest),
                        .init(account: Account.customerCredit, credit: rest)])
        try work.publish(CreditNoteIssued(creditNoteNumber: number, orderRef: event.orderRef, customerCode: sold.customer,
                                          caseId: event.caseId, amount: amount, currency: sold.currency, allocations: allocations,
                                          customerCredit: rest))
        // A credit note that clears an invoice settles it like a payment would (the order may complete).
        try announcePaid(paidOff, work)
        work.logger.info("credit note issued", metadata: ["credit_note": "\(number)", "order_ref": "\(event.orderRef)"])
    }

    /// Marks invoices overdue as of a day (once each) and announces them to risk and sales.
    static func collections(asOf: BusinessDate, _ work: UnitOfWork) throws -> [InvoiceOverdue] {
        let found = try ReceivablesStore(tx: work.transaction).markOverdue(asOf: asOf)
        for (event, correlation) in found { try work.publish(event, correlationId: correlation) }
        work.logger.info("collections run", metadata: ["as_of": "\(asOf)", "overdue": "\(found.count)"])
        return found.map(\.event)
    }

    /// A hand-entered payment: recorded now within the person's limit, else waiting for approval.
    /// A payment already recorded under its bank reference stays as it was (nil).
    enum Entered { case recorded(PaymentReceived?), pending(ApprovalRecord) }

    static func enter(_ payment: RecordPayment, _ work: UnitOfWork) throws -> Entered {
        switch try FinanceApprovals.book.authorise(FinanceApprovals.manualPayment, subject: payment.bankReference, amount: payment.amount, payload: payment,
                                  summary: "payment \(payment.bankReference) of \(payment.amount) \(payment.currency) for \(payment.invoiceNumber.map { "invoice \($0)" } ?? "order \(payment.orderRef ?? "-")")",
                                  work) {
        case .allowed: return .recorded(try record(payment, work))
        case .pending(let request): return .pending(request)
        }
    }
}
