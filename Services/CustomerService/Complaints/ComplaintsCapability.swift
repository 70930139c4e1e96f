import Contracts
import Foundation
import Messaging
import ServiceKit
import Storage

/// Complaints (投诉): opened at once with a committed deadline and routed, resolved by a person
/// (a return, a replacement, goodwill under authority limits), escalated when late.
struct ComplaintsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(OpenComplaint.self) { complaint, work in
            let opened = try Cases.open(complaint, openedAt: work.time, work)
            // A complaint is never lost: one about an order not seen yet is opened without a customer.
            try work.reply(opened, warning: opened.customerCode == nil
                ? (.orderUnknown, "customer service has not seen order \(complaint.orderRef): the case is opened without a customer") : nil)
        }
        handlers.on(CreditNoteIssued.self, Cases.creditNoteIssued)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ComplaintRoutes(env: env).add(to: routes) }

    /// A resolution beyond the person's limit, once approved: the case is resolved as asked.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(CustomerServiceApprovals.resolutionCost, approved: { request, _, work in
            let asked = try request.decode(CustomerServiceApprovals.Resolution.self)
            _ = try Cases.resolve(asked.number, resolution: asked.resolution, note: Cases.note(asked.note, compensation: asked.compensation),
                                  lines: asked.lines, work)
        })]
    }

    /// Missed deadlines escalate (DOMAIN: complaints).
    var jobs: [PeriodicJob] {
        [PeriodicJob("escalation", every: .seconds(300)) { env in
            _ = try await env.command { work in try Cases.escalate(asOf: Date(), work) }
        }]
    }

    var gauges: BusinessGauges? {
        { tx in
            let cases = try CaseReads(tx: tx).caseCounts()
            return GaugeReading.counts("bizops_complaints", label: "status", values: ["open", "return-authorised", "resolved"], cases.byStatus)
                + [GaugeReading("bizops_complaints_late", cases.late)]
        }
    }
}
