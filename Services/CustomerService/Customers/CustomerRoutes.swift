import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Customers as the desk sees them: the record, and what they bought.
struct CustomerRoutes: Sendable {
    let env: ServiceEnvironment

    func add(to router: Routes) {
        let group = router.group("/customers/:code")
        group.get(allow: .readers) { _, context -> CustomerRecordView in
            let code = try context.parameters.require("code")
            guard let record = try await env.read({ try CaseReads(tx: $0).customerRecord(code) }) else {
                throw APIError.notFound("customer service knows no customer \(code)")
            }
            return record
        }
        group.get("purchases", allow: .readers) { request, context -> Page<PurchaseView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: CustomerServiceAPI.maxLimit)
            let rows = try await env.read { try CaseReads(tx: $0).purchases(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
    }
}

extension PurchaseView: ResponseEncodable {}

extension CustomerRecordView: ResponseEncodable {}
