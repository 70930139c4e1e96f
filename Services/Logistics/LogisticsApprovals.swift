import Contracts
import Foundation
import Messaging
import ServiceKit

/// What logistics puts under authority limits: goods booked in without a purchase reference
/// (stock that no purchase order explains; quantity in units). A receipt against a purchase
/// order needs none.
enum LogisticsApprovals {
    static let unreferencedReceipt = "receipt.unreferenced"

    /// A receipt as it was asked.
    struct Receipt: Codable, Sendable { let warehouse: String, sku: String, quantity: Int64, reference: String }

    static let book = ApprovalBook(department: "logistics", actions: [
        ApprovalAction(unreferencedReceipt, "book goods in without a purchase order", unit: .quantity,
                       defaults: [.staff: 1_000, .manager: 100_000, .director: 10_000_000]),
    ], requested: LogisticsApprovalRequested.self, decided: LogisticsApprovalDecided.self)
}
