import Contracts
import Foundation
import Messaging
import ServiceKit
import Storage

public enum CustomerService {
    /// Missed deadlines escalate (DOMAIN: complaints).
    static let escalation = PeriodicJob("escalation", every: .seconds(300)) { env in
        _ = try await env.command { work in try Cases.escalate(asOf: Date(), work) }
    }

    public static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(CustomerChanged.self, Cases.customerChanged)
        handlers.on(OrderAccepted.self, Cases.orderAccepted)
        handlers.on(ShipmentDelivered.self, Cases.delivered)
        handlers.on(CreditNoteIssued.self, Cases.creditNoteIssued)
        handlers.on(OpenComplaint.self) { complaint, work in
            let opened = try Cases.open(complaint, openedAt: work.time, work)
            // A complaint is never lost: one about an order not seen yet is opened without a customer.
            try work.reply(opened, warning: opened.customerCode == nil
                ? (.orderUnknown, "customer service has not seen order \(complaint.orderRef): the case is opened without a customer") : nil)
        }
        var spec = ServiceSpec(id: "customer_service", defaultPort: 8083, migrations: CustomerServiceMigrations.all, handlers: handlers,
                               routes: CustomerServiceAPI.add,
                               jobs: [escalation], approvals: CustomerServiceApprovals.book)
        spec.gauges = { tx in
            let cases = try CaseReads(tx: tx).caseCounts()
            return GaugeReading.counts("bizops_complaints", label: "status", values: ["open", "return-authorised", "resolved"], cases.byStatus)
                + [GaugeReading("bizops_complaints_late", cases.late)]
        }
        return spec
    }
}
