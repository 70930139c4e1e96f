import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Payments entered by hand, once per bank reference; beyond the person's limit, an approval request.
struct PaymentRoutes: Sendable {
    let env: ServiceEnvironment

    /// A payment recorded before: nothing changed.
    struct Unchanged: ResponseEncodable, Sendable { let bankReference: String; let note: String }

    func add(to router: Routes) {
        router.post("/payments", allow: .staff) { request, context -> Response in
            let payment = try await request.decode(as: RecordPayment.self, context: context)
            let entered = try await env.perform("POST /payments") { work in try Billing.enter(payment, work) }
            switch entered {
            case .pending(let approval):
                return try ApprovalPending(approval).response()
            case .recorded(nil):
                return try Unchanged(bankReference: payment.bankReference, note: "recorded before; nothing changed")
                    .response(from: request, context: context)
            case .recorded(let event?):
                var response = try event.response(from: request, context: context)
                response.status = .created
                return response
            }
        }
    }
}
