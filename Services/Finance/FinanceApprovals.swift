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
                       defaults: [.staff: 5_000_000, .manager: 50_000_000, .director: 500_000_000]) { request, _, work in
            _ = try Billing.record(try request.decode(RecordPayment.self), work)
        },
    ], requested: FinanceApprovalRequested.self, decided: FinanceApprovalDecided.self)

    /// A hand-entered payment: recorded now within the person's limit, else waiting for approval.
    /// A payment already recorded under its bank reference stays as it was (nil).
    enum Entered { case recorded(PaymentReceived?), pending(ApprovalRecord) }

    static func enter(_ payment: RecordPayment, _ work: UnitOfWork) throws -> Entered {
        switch try book.authorise(manualPayment, subject: payment.bankReference, amount: payment.amount, payload: payment,
                                  summary: "payment \(payment.bankReference) of \(payment.amount) \(payment.currency) for \(payment.invoiceNumber.map { "invoice \($0)" } ?? "order \(payment.orderRef ?? "-")")",
                                  work) {
        case .allowed: return .recorded(try Billing.record(payment, work))
        case .pending(let request): return .pending(request)
        }
    }
}
