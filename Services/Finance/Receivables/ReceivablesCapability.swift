import Contracts
import Foundation
import Messaging
import ServiceKit
import Storage

/// Receivables (应收): invoices by the customer's payment terms, payments allocated (never
/// refused), credit notes, customer accounts and terms, and the daily collections run.
struct ReceivablesCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(OrderAccepted.self, Billing.accepted)
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
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) {
        InvoiceRoutes(env: env).add(to: routes)
        CustomerRoutes(env: env).add(to: routes)
        PaymentRoutes(env: env).add(to: routes)
        CollectionRoutes(env: env).add(to: routes)
    }

    /// A payment entered by hand beyond the person's limit, once approved: recorded.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(FinanceApprovals.manualPayment, approved: { request, _, work in
            _ = try Billing.record(try request.decode(RecordPayment.self), work)
        })]
    }

    /// The daily collections run (hourly, so a restart never skips a day): overdue invoices as of today.
    var jobs: [PeriodicJob] {
        [PeriodicJob("collections", every: .seconds(3600)) { env in
            _ = try await env.command { work in try Billing.collections(asOf: BusinessDate(Date()), work) }
        }]
    }

    var gauges: BusinessGauges? {
        { tx in
            let invoices = try ReceivablesReads(tx: tx).invoiceCounts()
            return GaugeReading.counts("bizops_invoices", label: "status", values: ["open", "paid", "void"], invoices.byStatus)
                + [GaugeReading("bizops_invoices_overdue", invoices.overdue)]
        }
    }
}
