import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Returns: those expected and received, and the inspection that receives one.
struct ReturnRoutes: Sendable {
    let env: ServiceEnvironment

    struct ReturnInspection: Decodable, Sendable {
        let condition: String, inspectedBy: String
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            condition = try c.decode(String.self, forKey: .condition)
            inspectedBy = try c.decode(String.self, forKey: .inspectedBy)
            try Validate.oneOf(condition, ["resellable", "damaged"], "condition")
            try Validate.notBlank(inspectedBy, "inspectedBy")
        }
        enum CodingKeys: CodingKey { case condition, inspectedBy }
    }

    func add(to router: Routes) {
        let group = router.group("/returns")
        group.get(allow: .readers) { request, _ -> Page<ReturnView> in
            let (limit, after) = try PageRequest.numbered(request, max: LogisticsAPI.maxLimit)
            let status = request.uri.queryParameters.get("status"), order = request.uri.queryParameters.get("order")
            if let status, !["expected", "received"].contains(status) {
                throw APIError(.badRequest, "invalid-field", "status: must be one of expected, received")
            }
            let rows = try await env.read { try WarehouseReads(tx: $0).returns(status: status, order: order, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.post(":id/receive", allow: .staff) { request, context -> ReturnReceived in
            guard let id = UUID(uuidString: try context.parameters.require("id")) else {
                throw APIError(.badRequest, "invalid-field", "id: must be a UUID")
            }
            let body = try await request.decode(as: ReturnInspection.self, context: context)
            return try await env.perform("POST /returns/{id}/receive") { work in
                try Shipping.receiveReturn(id, condition: body.condition, inspectedBy: body.inspectedBy, work)
            }
        }
    }
}

extension ReturnView: ResponseEncodable {}
