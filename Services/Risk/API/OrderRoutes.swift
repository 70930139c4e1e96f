import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// Orders as risk sees them: read one, and release or reject a held one.
struct OrderRoutes: Sendable {
    let env: ServiceEnvironment

    struct Reviewed: ResponseEncodable, Sendable { let orderRef: String; let status: String; let decidedBy: String }

    func add(to router: Router<ServiceRequestContext>) {
        let group = router.group("/orders")
        group.get(":ref") { _, context -> RiskOrderView in
            let ref = try context.parameters.require("ref")
            guard let order = try await env.read({ try CreditReads(tx: $0).order(ref) }) else {
                throw APIError.notFound("risk has no order \(ref)")
            }
            return order
        }
        for (path, release) in [("release", true), ("reject", false)] {
            group.post(":ref/\(path)") { request, context -> Reviewed in
                let ref = try context.parameters.require("ref")
                let body = try await request.decode(as: RiskAPI.DecisionRequest.self, context: context)
                try await env.perform("POST /orders/{ref}/\(path)", correlationId: ref) { work in
                    try CreditDesk.review(ref, release: release, by: body.authorisedBy, note: body.note, work)
                }
                return Reviewed(orderRef: ref, status: release ? "approved" : "rejected", decidedBy: body.authorisedBy)
            }
        }
    }
}
