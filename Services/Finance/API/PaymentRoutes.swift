import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Payments: one recorded from the bank, once per bank reference.
struct PaymentRoutes: Sendable {
    let env: ServiceEnvironment

    /// A payment recorded before: nothing changed.
    struct Unchanged: ResponseEncodable, Sendable { let bankReference: String; let note: String }

    func add(to router: Router<ServiceRequestContext>) {
        router.post("/payments") { request, context -> Response in
            let payment = try await request.decode(as: RecordPayment.self, context: context)
            let event = try await env.perform("POST /payments") { work in try Billing.record(payment, work) }
            guard let event else {
                return try Unchanged(bankReference: payment.bankReference, note: "recorded before; nothing changed")
                    .response(from: request, context: context)
            }
            var response = try event.response(from: request, context: context)
            response.status = .created
            return response
        }
    }
}
