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
        handlers.on(OrderAccepted.self, Cases.orderAccepted)
        handlers.on(ShipmentDelivered.self, Cases.delivered)
        handlers.on(CreditNoteIssued.self, Cases.creditNoteIssued)
        handlers.on(OpenComplaint.self) { complaint, work in
            try work.reply(try Cases.open(complaint, openedAt: work.time, work))
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
