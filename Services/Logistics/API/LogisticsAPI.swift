import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The warehouse over HTTP: stock and its ledger, receipts, warehouses, shipments, returns.
/// Codable in and out; reads come typed from the Store; every list pages.
enum LogisticsAPI {
    static let maxLimit = 1000

    struct Receipt: Decodable, Sendable {
        let warehouse: String, sku: String, quantity: Int64, reference: String
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            warehouse = try c.decode(String.self, forKey: .warehouse)
            sku = try c.decode(String.self, forKey: .sku)
            quantity = try c.decode(Int64.self, forKey: .quantity)
            reference = try c.decode(String.self, forKey: .reference)
            try Validate.notBlank(warehouse, "warehouse", max: 64)
            try Validate.notBlank(sku, "sku", max: 64)
            try Validate.require(quantity > 0 && quantity <= 10_000_000, "quantity", "must be 1 to 10000000")
            try Validate.notBlank(reference, "reference", max: 100)
        }
        enum CodingKeys: CodingKey { case warehouse, sku, quantity, reference }
    }
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
    struct Dispatch: Decodable, Sendable { let carrier: String?; let trackingNumber: String? }
    /// The same rules as the driver app's `shipment.deliver`: signed, with a real time.
    struct Delivery: Decodable, Sendable {
        let signedBy: String, signedAt: String, deliveryNote: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            signedBy = try c.decode(String.self, forKey: .signedBy)
            signedAt = try c.decode(String.self, forKey: .signedAt)
            deliveryNote = try c.decodeIfPresent(String.self, forKey: .deliveryNote)
            try Validate.notBlank(signedBy, "signedBy")
            _ = try Validate.timestamp(signedAt, "signedAt")
        }
        enum CodingKeys: CodingKey { case signedBy, signedAt, deliveryNote }
    }
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

    struct ReceiptAnswer: ResponseEncodable, Sendable { let reference: String; let recorded: Bool; let note: String }
    struct WarehouseAnswer: ResponseEncodable, Sendable { let code: String }
    /// A command that repeated what was done: nothing changed.
    struct Unchanged: ResponseEncodable, Sendable { let orderRef: String; let note: String }

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.get("/stock") { request, _ -> Page<StockView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let sku = request.uri.queryParameters.get("sku")
            let rows = try await env.read { try WarehouseReads(tx: $0).stock(sku: sku, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.get("/movements") { request, _ -> Page<MovementView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let query = request.uri.queryParameters
            let sku = query.get("sku"), order = query.get("order")
            let rows = try await env.read { try WarehouseReads(tx: $0).movements(sku: sku, order: order, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.post("/stock/receipts") { request, context -> Response in
            let body = try await request.decode(as: Receipt.self, context: context)
            let fresh = try await env.perform("POST /stock/receipts") { work in
                try StockKeeping.receive(warehouse: body.warehouse, sku: body.sku, quantity: body.quantity, reference: body.reference, work)
            }
            var response = try ReceiptAnswer(reference: body.reference, recorded: fresh,
                                             note: fresh ? "received" : "this reference was recorded before; nothing changed")
                .response(from: request, context: context)
            response.status = fresh ? .created : .ok
            return response
        }
        router.get("/warehouses") { request, _ -> Page<WarehouseView> in
            let (limit, after) = try PageRequest.keyed(request, max: maxLimit)
            let rows = try await env.read { try WarehouseReads(tx: $0).warehouses(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { $0.code }
        }
        router.put("/warehouses/:code") { request, context -> WarehouseAnswer in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Warehouse.self, context: context)
            try await env.perform("PUT /warehouses/{code}") { work in
                try WarehouseStore(tx: work.transaction).saveWarehouse(code, name: body.name, branch: body.branch, priority: body.priority ?? 100)
            }
            return WarehouseAnswer(code: code)
        }
        router.get("/orders/:ref") { _, context -> WarehouseOrderView in
            let ref = try context.parameters.require("ref")
            guard let order = try await env.read({ try WarehouseReads(tx: $0).order(ref) }) else {
                throw APIError.notFound("logistics has no order \(ref)")
            }
            return order
        }
        router.post("/orders/:ref/dispatch") { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Dispatch.self, context: context)
            let event = try await env.perform("POST /orders/{ref}/dispatch", correlationId: ref) { work in
                try Shipping.dispatch(DispatchShipment(orderRef: ref, carrier: body.carrier, trackingNumber: body.trackingNumber), work)
            }
            guard let event else { return try Unchanged(orderRef: ref, note: "dispatched already; nothing changed").response(from: request, context: context) }
            return try event.response(from: request, context: context)
        }
        router.post("/orders/:ref/deliver") { request, context -> Response in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Delivery.self, context: context)
            let command = DeliverShipment(orderRef: ref, signedBy: body.signedBy, signedAt: body.signedAt, deliveryNote: body.deliveryNote)
            let event = try await env.perform("POST /orders/{ref}/deliver", correlationId: ref) { work in try Shipping.deliver(command, work) }
            guard let event else { return try Unchanged(orderRef: ref, note: "delivered already; nothing changed").response(from: request, context: context) }
            return try event.response(from: request, context: context)
        }
        router.get("/returns") { request, _ -> Page<ReturnView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let status = request.uri.queryParameters.get("status"), order = request.uri.queryParameters.get("order")
            if let status, !["expected", "received"].contains(status) {
                throw APIError(.badRequest, "invalid-field", "status: must be one of expected, received")
            }
            let rows = try await env.read { try WarehouseReads(tx: $0).returns(status: status, order: order, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.post("/returns/:id/receive") { request, context -> ReturnReceived in
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

extension StockView: ResponseEncodable {}
extension MovementView: ResponseEncodable {}
extension WarehouseView: ResponseEncodable {}
extension WarehouseOrderView: ResponseEncodable {}
extension ReturnView: ResponseEncodable {}
extension ShipmentDispatched: ResponseEncodable {}
extension ShipmentDelivered: ResponseEncodable {}
extension ReturnReceived: ResponseEncodable {}
