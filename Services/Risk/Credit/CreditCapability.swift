import Contracts
import Messaging
import ServiceKit
import RiskDomain
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

    /// A release or a higher limit, once approved: the order released, the hold lifted, the profile
    /// set (only if it is still the one the request was asked against).
    var approvalOutcomes: [ApprovalOutcome] {
        [
            ApprovalOutcome(RiskApprovals.releaseOrder, approved: { request, decision, work in
                let release = try request.decode(RiskApprovals.Release.self)
                try CreditDesk.review(release.ref, release: true, by: decision.by, note: release.note, work)
            }),
            ApprovalOutcome(RiskApprovals.releaseCustomer, approved: { request, decision, work in
                let release = try request.decode(RiskApprovals.Release.self)
                try CreditDesk.releaseCustomer(release.ref, by: decision.by, note: release.note, work)
            }),
            ApprovalOutcome(RiskApprovals.creditLimit, approved: { request, _, work in
                let profile = try request.decode(RiskApprovals.Profile.self)
                guard let rating = Rating(rawValue: profile.rating) else { throw Refusal(.invalidField, "approval \(request.id) holds no known rating") }
                let store = CreditStore(tx: work.transaction)
                let now = try store.profile(request.subject, lock: true)
                guard now?.creditLimit == profile.fromLimit, now?.rating.rawValue == profile.fromRating,
                      try store.profileCurrency(request.subject) == profile.fromCurrency else {
                    throw Refusal(.notPending, "customer \(request.subject)'s credit profile changed since this was asked (now \(now.map { "\($0.creditLimit), rating \($0.rating.rawValue)" } ?? "none")): ask again")
                }
                try CreditDesk.setProfile(request.subject, limit: profile.creditLimit, currency: profile.currency, rating: rating, work)
            }),
        ]
    }

    var gauges: BusinessGauges? {
        { tx in
            let holds = try CreditReads(tx: tx).holdCounts()
            return [GaugeReading("bizops_credit_holds", holds.customers), GaugeReading("bizops_orders_held_for_review", holds.orders)]
        }
    }
}
