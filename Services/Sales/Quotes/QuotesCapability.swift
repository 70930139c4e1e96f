import Contracts
import Foundation
import ServiceKit
import Storage

/// Quotes (报价): versions sent to a customer, a price below the list under authority limits,
/// acceptance, and expiry past their validity.
struct QuotesCapability: Capability {
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { QuoteRoutes(env: env).add(to: routes) }

    /// A quoted price below the list, once decided: the version goes to the customer, or is withdrawn.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(SalesApprovals.quotePrice, approved: { request, _, work in try Quoting.approved(request, work) },
                         rejected: { request, _, work in try Quoting.rejected(request, work) })]
    }

    /// Quotes past their validity expire (hourly, so a restart never skips a day): as of today.
    var jobs: [PeriodicJob] {
        [PeriodicJob("quote-expiry", every: .seconds(3600)) { env in
            _ = try await env.command { work in try Quoting.expire(asOf: BusinessDate(Date()), work) }
        }]
    }
}
