import Contracts
import Foundation
import Messaging
import ServiceKit

/// What sales puts under authority limits: signing a contract, on its value (`contract.sign`);
/// and, as discounts in hundredths of a percent, a quoted price below the list (`quote.price`) and a price typed below the price an order line would
/// have (`order.discount`), whether a salesperson types it (`POST /orders`) or an outside system sends it (`order.place`, for a customer whose contract allows
/// price overrides at all). A system has no authority of its own, so its discounted order waits
/// for a person and the sender is answered once they decide. An approved discount carries
/// forward to the invoice, which takes the order's prices without asking again.
enum SalesApprovals {
    static let discount = "order.discount"
    static let quotePrice = "quote.price"
    static let contractSign = "contract.sign"

    /// A discounted order as it was asked, and the command to answer once decided (on the bus).
    struct Discounted: Codable, Sendable { let order: PlaceOrder; let answer: Cause? }

    static let book = ApprovalBook(department: "sales", actions: [
        ApprovalAction(discount, "a price below the list", unit: .percent, defaults: [.staff: 500, .manager: 1_500, .director: 3_000]),
        // A quote's price below the list (its deepest line), before the version goes to the customer.
        ApprovalAction(quotePrice, "a quoted price below the list", unit: .percent, defaults: [.staff: 500, .manager: 1_500, .director: 3_000]),
        // Signing a contract (only authorised persons sign, 授权人员): up to the signer's limit for its value.
        ApprovalAction(contractSign, "signing a contract", unit: .money,
                       defaults: [.staff: 1_000_000, .manager: 10_000_000, .director: 100_000_000]),
    ], requested: SalesApprovalRequested.self, decided: SalesApprovalDecided.self)
}
