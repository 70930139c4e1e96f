import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Warehouses: the list, and one saved under its code.
struct WarehouseRoutes: Sendable {
    let env: ServiceEnvironment

    struct Warehouse: Decodable, Sendable {
        let name: String, branch: String, priority: Int?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            branch = try c.decode(String.self, forKey: .branch)
            priority = try c.decodeIfPresent(Int.self, forKey: .priority)
            try Validate.notBlank(name, "name")
            try Validate.notBlank(branch, "branch")
            try Validate.require((0...10_000).contains(priority ?? 100), "priority", "must be 0 to 10000")
        }
        enum CodingKeys: CodingKey { case name, branch, priority }
    }

    struct WarehouseAnswer: ResponseEncodable, Sendable { let code: String }

    func add(to router: Routes) {
        let group = router.group("/warehouses")
        group.get(allow: .readers) { request, _ -> Page<WarehouseView> in
            let (limit, after) = try PageRequest.keyed(request, max: LogisticsAPI.maxLimit)
            let rows = try await env.read { try WarehouseReads(tx: $0).warehouses(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { $0.code }
        }
        // Warehouses and their allocation priority: set by logistics' managers and director.
        group.put(":code", allow: .managers) { request, context -> WarehouseAnswer in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Warehouse.self, context: context)
            try await env.perform("PUT /warehouses/{code}") { work in
                let store = WarehouseStore(tx: work.transaction)
                try store.saveWarehouse(code, name: body.name, branch: body.branch, priority: body.priority ?? 100)
                try work.recordChange("warehouse", code, json: try store.warehouseSnapshot(code))
            }
            return WarehouseAnswer(code: code)
        }
    }
}

extension WarehouseView: ResponseEncodable {}
