import Contracts
import Foundation
import Messaging
import ServiceKit
import Storage

public enum Finance {
    /// The daily collections run (hourly, so a restart never skips a day): overdue invoices as of today.
    static let collections = PeriodicJob("collections", every: .seconds(3600)) { env in
        _ = try await env.command { work in try Billing.collections(asOf: BusinessDate(Date()), work) }
    }

    public static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(OrderAccepted.self, Billing.accepted)
        handlers.on(ContractDrafted.self, FinanceContracts.drafted)
        handlers.on(ContractSigned.self, FinanceContracts.signed)
        handlers.on(OrderCancelled.self, Billing.cancelled)
        handlers.on(ShipmentDelivered.self, Billing.delivered)
        handlers.on(ReturnReceived.self, Billing.returnReceived)
        handlers.on(RecordPayment.self) { payment, work in
            if let event = try Billing.record(payment, work) {
                // A payment is never refused: one no invoice or order matches waits as unallocated cash.
                try work.reply(event, warning: event.customerCode == nil
                    ? (.unallocated, "no invoice or order matches the payment's references: it is booked as unallocated cash") : nil)
            } else {
                try work.replyUnchanged(.alreadyRecorded, "bank reference \(payment.bankReference) was recorded already")
            }
        }
        var spec = ServiceSpec(id: "finance", defaultPort: 8084, migrations: FinanceMigrations.all, handlers: handlers,
                           routes: FinanceAPI.add,
                           jobs: [collections],
                           approvals: FinanceApprovals.book)
        spec.gauges = { tx in
            let invoices = try ReceivablesReads(tx: tx).invoiceCounts()
            return GaugeReading.counts("bizops_invoices", label: "status", values: ["open", "paid", "void"], invoices.byStatus)
                + [GaugeReading("bizops_invoices_overdue", invoices.overdue)]
        }
        return spec
    }
}
