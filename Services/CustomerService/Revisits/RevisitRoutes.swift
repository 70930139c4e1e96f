import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Revisits: those due and done, and one completed with the customer's satisfaction.
struct RevisitRoutes: Sendable {
    let env: ServiceEnvironment

    struct Revisit: Decodable, Sendable {
        let satisfaction: Int, note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            satisfaction = try c.decode(Int.self, forKey: .satisfaction)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.require((1...5).contains(satisfaction), "satisfaction", "must be 1 to 5")
        }
        enum CodingKeys: CodingKey { case satisfaction, note }
    }

    struct RevisitDone: ResponseEncodable, Sendable { let orderRef: String; let status: String }

    func add(to router: Routes) {
        let group = router.group("/revisits")
        group.get(allow: .readers) { request, _ -> Page<RevisitView> in
            let (limit, after) = try PageRequest.numbered(request, max: CustomerServiceAPI.maxLimit)
            let query = request.uri.queryParameters
            let status = query.get("status"), order = query.get("order"), customer = query.get("customer")
            if let status, !["due", "done"].contains(status) { throw APIError(.badRequest, "invalid-field", "status: must be one of due, done") }
            let rows = try await env.read {
                try CaseReads(tx: $0).revisits(status: status, order: order, customer: customer, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.post(":ref/complete", allow: .staff) { request, context -> RevisitDone in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Revisit.self, context: context)
            try await env.perform("POST /revisits/{ref}/complete") { work in
                guard try CaseStore(tx: work.transaction).completeRevisit(ref, satisfaction: body.satisfaction, note: body.note) else {
                    throw Refusal(.notFound, "no revisit due for order \(ref)")
                }
            }
            return RevisitDone(orderRef: ref, status: "done")
        }
    }
}

extension RevisitView: ResponseEncodable {}
