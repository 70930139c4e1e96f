import Contracts
import Messaging
import ServiceKit
import Storage

/// Credit (信用): every order checked against the customer's limit and exposure, holds and their
/// authorised release, the customer's credit file kept from finance's invoices and payments.
struct CreditCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(OrderPlaced.self, CreditDesk.check)
        handlers.on(OrderCancelled.self, CreditDesk.cancelled)
        handlers.on(InvoiceIssued.self, CreditDesk.invoiceIssued)
        handlers.on(PaymentReceived.self, CreditDesk.paymentReceived)
        handlers.on(CreditNoteIssued.self, CreditDesk.creditNoteIssued)
        handlers.on(CreditApplied.self, CreditDesk.creditApplied)
        handlers.on(InvoiceVoided.self, CreditDesk.invoiceVoided)
        handlers.on(InvoiceOverdue.self, CreditDesk.invoiceOverdue)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) {
        CustomerRoutes(env: env).add(to: routes)
        HoldRoutes(env: env).add(to: routes)
        OrderRoutes(env: env).add(to: routes)
    }

    var gauges: BusinessGauges? {
        { tx in
            let holds = try CreditReads(tx: tx).holdCounts()
            return [GaugeReading("bizops_credit_holds", holds.customers), GaugeReading("bizops_orders_held_for_review", holds.orders)]
        }
    }
}
