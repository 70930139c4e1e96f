import Contracts
import Foundation
import Messaging
import ServiceKit

/// What risk puts under authority limits (money in minor units): releasing a held order (its
/// total) and lifting a customer's credit hold (the customer's exposure). Rejecting a held
/// order needs no limit: it only stops an order.
enum RiskApprovals {
    static let releaseOrder = "order.release"
    static let releaseCustomer = "customer.release-hold"

    /// What a release request was asked with: the order reference or customer code, and the note.
    struct Release: Codable, Sendable { let ref: String; let note: String? }

    static let book = ApprovalBook(department: "risk", actions: [
        ApprovalAction(releaseOrder, "release a held order", unit: .money,
                       defaults: [.staff: 1_000_000, .manager: 20_000_000, .director: 200_000_000]) { request, decision, work in
            let release = try request.decode(Release.self)
            try CreditDesk.review(release.ref, release: true, by: decision.by, note: release.note, work)
        },
        ApprovalAction(releaseCustomer, "lift a customer's credit hold", unit: .money,
                       defaults: [.manager: 10_000_000, .director: 100_000_000]) { request, decision, work in
            let release = try request.decode(Release.self)
            try CreditDesk.releaseCustomer(release.ref, by: decision.by, note: release.note, work)
        },
    ], requested: RiskApprovalRequested.self, decided: RiskApprovalDecided.self)
}
