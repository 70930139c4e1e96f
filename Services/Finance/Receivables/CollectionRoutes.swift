import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Collections: the overdue run, on demand and as of a day.
struct CollectionRoutes: Sendable {
    let env: ServiceEnvironment

    struct Collections: Decodable, Sendable { let asOf: BusinessDate }
    struct Overdue: ResponseEncodable, Sendable { let overdue: [InvoiceOverdue] }

    func add(to router: Routes) {
        router.post("/collections/run", allow: .staff) { request, context -> Overdue in
            let body = try await request.decode(as: Collections.self, context: context)
            return Overdue(overdue: try await env.perform("POST /collections/run") { work in try Billing.collections(asOf: body.asOf, work) })
        }
    }
}
