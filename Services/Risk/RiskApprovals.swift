import Contracts
import Foundation
import Messaging
import RiskDomain
import ServiceKit

/// What risk puts under authority limits (money in minor units): releasing a held order (its
/// total), lifting a customer's credit hold (the customer's exposure) and raising a customer's
/// credit limit (the new limit: otherwise a raised limit would skip the other two). Rejecting a
/// held order or lowering a limit needs none: they only take risk away.
enum RiskApprovals {
    static let releaseOrder = "order.release"
    static let releaseCustomer = "customer.release-hold"
    static let creditLimit = "credit.limit"

    /// A credit profile as asked: what an approval of `credit.limit` sets.
    /// A credit profile as asked, and the one it was asked against: it is set only if that is
    /// still the profile when approved (an overdue invoice may have lowered the rating since).
    struct Profile: Codable, Sendable {
        let creditLimit: Int64; let currency: String; let rating: String
        let fromLimit: Int64?; let fromRating: String?; let fromCurrency: String?
    }

    /// What a release request was asked with: the order reference or customer code, and the note.
    struct Release: Codable, Sendable { let ref: String; let note: String? }

    static let book = ApprovalBook(department: "risk", actions: [
        ApprovalAction(releaseOrder, "release a held order", unit: .money,
                       defaults: [.staff: 1_000_000, .manager: 20_000_000, .director: 200_000_000]),
        ApprovalAction(releaseCustomer, "lift a customer's credit hold", unit: .money,
                       defaults: [.manager: 10_000_000, .director: 100_000_000]),
        ApprovalAction(creditLimit, "raise a customer's credit limit", unit: .money,
                       defaults: [.staff: 50_000_000, .manager: 500_000_000, .director: 5_000_000_000]),
    ], requested: RiskApprovalRequested.self, decided: RiskApprovalDecided.self)
}
