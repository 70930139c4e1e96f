import Contracts
import Foundation
import Messaging
import ServiceKit

/// What customer service puts under authority limits: a resolution that costs money (money in
/// minor units): a return (the value of the goods that come back), a replacement (the value of
/// the goods replaced) or goodwill (the compensation). An explanation costs nothing.
enum CustomerServiceApprovals {
    static let resolutionCost = "resolution.cost"

    /// A resolution as it was asked.
    struct Resolution: Codable, Sendable {
        let number: String, resolution: String, note: String?, lines: [ItemQuantity], compensation: Int64?
    }

    static let book = ApprovalBook(department: "customer-service", actions: [
        ApprovalAction(resolutionCost, "resolve a complaint at a cost", unit: .money,
                       defaults: [.staff: 100_000, .manager: 1_000_000, .director: 10_000_000]),
    ], requested: CustomerServiceApprovalRequested.self, decided: CustomerServiceApprovalDecided.self)
}
