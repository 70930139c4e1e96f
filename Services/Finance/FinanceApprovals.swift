import Contracts
import Foundation
import Messaging
import ServiceKit

/// What finance puts under authority limits: a payment a person enters by hand (`POST
/// /payments`; money in minor units). Payments from the bank feed (`payment.record`) are
/// the bank's own statement and need none.
enum FinanceApprovals {
    static let manualPayment = "payment.manual"

    static let book = ApprovalBook(department: "finance", actions: [
        ApprovalAction(manualPayment, "enter a payment by hand", unit: .money,
                       defaults: [.staff: 5_000_000, .manager: 50_000_000, .director: 500_000_000]),
    ], requested: FinanceApprovalRequested.self, decided: FinanceApprovalDecided.self)
}
