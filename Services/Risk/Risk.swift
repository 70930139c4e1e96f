import Contracts
import Messaging
import ServiceKit
import Storage

public enum Risk {
    /// Risk's authority limits and approvals.
    public static var approvals: ApprovalBook { RiskApprovals.book }

    public static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(ContractDrafted.self, RiskContracts.drafted)
        handlers.on(OrderPlaced.self, CreditDesk.check)
        handlers.on(OrderCancelled.self, CreditDesk.cancelled)
        handlers.on(InvoiceIssued.self, CreditDesk.invoiceIssued)
        handlers.on(PaymentReceived.self, CreditDesk.paymentReceived)
        handlers.on(CreditNoteIssued.self, CreditDesk.creditNoteIssued)
        handlers.on(CreditApplied.self, CreditDesk.creditApplied)
        handlers.on(InvoiceVoided.self, CreditDesk.invoiceVoided)
        handlers.on(InvoiceOverdue.self, CreditDesk.invoiceOverdue)
        var spec = ServiceSpec(id: "risk", defaultPort: 8085, migrations: RiskMigrations.all, handlers: handlers,
                               routes: RiskAPI.add, approvals: approvals)
        spec.gauges = { tx in
            let holds = try CreditReads(tx: tx).holdCounts()
            return [GaugeReading("bizops_credit_holds", holds.customers), GaugeReading("bizops_orders_held_for_review", holds.orders)]
        }
        return spec
    }
}
