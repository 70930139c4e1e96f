import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// Holds: the orders waiting on the credit desk.
struct HoldRoutes: Sendable {
    let env: ServiceEnvironment

    func add(to router: Routes) {
        router.get("/holds", allow: .readers) { request, _ -> Page<RiskOrderView> in
            let (limit, after) = try PageRequest.numbered(request, max: RiskAPI.maxLimit)
            let rows = try await env.read { try CreditReads(tx: $0).orders(status: RiskOrderStatus.held.rawValue, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
    }
}
