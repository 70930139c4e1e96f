import Contracts
import Messaging
import ServiceKit

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
        return ServiceSpec(id: "risk", defaultPort: 8085, migrations: RiskMigrations.all, handlers: handlers,
                           routes: RiskAPI.add, approvals: approvals)
    }
}
