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

    func add(to router: Routes) {
        let group = router.group("/orders")
        group.get(":ref", allow: .readers) { _, context -> RiskOrderView in
            let ref = try context.parameters.require("ref")
            guard let order = try await env.read({ try CreditReads(tx: $0).order(ref) }) else {
                throw APIError.notFound("risk has no order \(ref)")
            }
            return order
        }
        group.post(":ref/release", allow: .staff) { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: RiskAPI.DecisionRequest.self, context: context)
            let outcome = try await env.perform("POST /orders/{ref}/release", correlationId: ref) { work in
                (try CreditDesk.requestRelease(ref, note: body.note, work), work.cause.actor ?? "-")
            }
            switch outcome.0 {
            case .allowed: return try Reviewed(orderRef: ref, status: "approved", decidedBy: outcome.1).response(from: request, context: context)
            case .pending(let approval): return try ApprovalPending(approval).response()
            }
        }
        group.post(":ref/reject", allow: .staff) { request, context -> Reviewed in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: RiskAPI.DecisionRequest.self, context: context)
            let person = try await env.perform("POST /orders/{ref}/reject", correlationId: ref) { work in
                let person = work.cause.actor ?? "-"
                try CreditDesk.review(ref, release: false, by: person, note: body.note, work)
                return person
            }
            return Reviewed(orderRef: ref, status: "rejected", decidedBy: person)
        }
    }
}
