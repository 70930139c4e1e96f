import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The warehouse over HTTP: stock and its ledger, receipts, shipments, returns.
enum LogisticsAPI {
    struct Receipt: Decodable {
        let warehouse: String, sku: String, quantity: Int64, reference: String
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            warehouse = try c.decode(String.self, forKey: .warehouse)
            sku = try c.decode(String.self, forKey: .sku)
            quantity = try c.decode(Int64.self, forKey: .quantity)
            reference = try c.decode(String.self, forKey: .reference)
            try Validate.notBlank(sku, "sku", max: 64)
            try Validate.require(quantity > 0 && quantity <= 10_000_000, "quantity", "must be 1 to 10000000")
            try Validate.notBlank(reference, "reference", max: 100)
        }
        enum CodingKeys: CodingKey { case warehouse, sku, quantity, reference }
    }
    struct Warehouse: Decodable { let name: String; let branch: String; let priority: Int? }
    struct Dispatch: Decodable { let carrier: String?; let trackingNumber: String? }
    struct Delivery: Decodable {
        let signedBy: String, signedAt: String, deliveryNote: String?
    }
    struct ReturnInspection: Decodable {
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

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.get("/stock") { request, _ in
            let sku = request.uri.queryParameters["sku"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT warehouse, sku, on_hand AS "onHand", reserved, on_hand - reserved AS available, quarantine,
                       reorder_point AS "reorderPoint",
                       (SELECT COALESCE(sum(l.quantity - l.reserved), 0) FROM order_lines l JOIN orders o USING (order_ref)
                        WHERE o.status = 'backordered' AND o.warehouse = s.warehouse AND l.sku = s.sku) AS backordered
                FROM stock s WHERE ($1::text IS NULL OR sku = $1) ORDER BY sku, warehouse
                """, [sku.map(PGValue.text) ?? .null])
        }
        router.get("/movements") { request, _ in
            let sku = request.uri.queryParameters["sku"].map(String.init)
            let order = request.uri.queryParameters["order"].map(String.init)
            return try await HTTPJSON.list(env.pool, """
                SELECT id, at, warehouse, sku, kind, on_hand_delta AS "onHandDelta", reserved_delta AS "reservedDelta",
                       quarantine_delta AS "quarantineDelta", order_ref AS "orderRef", reference FROM movements
                WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR order_ref = $2) ORDER BY id DESC LIMIT 1000
                """, [sku.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null])
        }
        router.post("/stock/receipts") { request, _ in
            let body = try await HTTPJSON.decode(Receipt.self, request)
            let fresh = try await env.perform { work in
                try StockKeeping.receive(warehouse: body.warehouse, sku: body.sku, quantity: body.quantity, reference: body.reference, work)
            }
            return try HTTPJSON.object(["reference": body.reference, "recorded": fresh,
                                        "note": fresh ? "received" : "this reference was recorded before; nothing changed"],
                                       status: fresh ? .created : .ok)
        }
        router.put("/warehouses/:code") { request, context in
            let code = try context.parameters.require("code")
            let body = try await HTTPJSON.decode(Warehouse.self, request)
            try await env.perform { work in
                try work.transaction.execute("""
                    INSERT INTO warehouses (code, name, branch, priority) VALUES ($1, $2, $3, $4)
                    ON CONFLICT (code) DO UPDATE SET name = $2, branch = $3, priority = $4
                    """, [.text(code), .text(body.name), .text(body.branch), .int(Int64(body.priority ?? 100))])
            }
            return try HTTPJSON.object(["code": code])
        }
        router.get("/warehouses") { _, _ in
            try await HTTPJSON.list(env.pool, "SELECT code, name, branch, priority FROM warehouses ORDER BY priority, code")
        }
        router.get("/orders/:ref") { _, context in
            let ref = try context.parameters.require("ref")
            return try await HTTPJSON.one(env.pool, """
                SELECT o.order_ref AS "orderRef", o.customer_code AS "customerCode", o.warehouse, o.status,
                       o.delivery_address AS "deliveryAddress",
                       (SELECT COALESCE(json_agg(invoice_number ORDER BY invoice_number), '[]') FROM advance_invoices
                            WHERE order_ref = o.order_ref AND NOT paid) AS "awaitingPayment",
                       EXISTS (SELECT 1 FROM cleared_orders WHERE order_ref = o.order_ref) AS "clearedForDispatch",
                       (SELECT COALESCE(json_agg(l ORDER BY l.sku), '[]') FROM (SELECT sku, quantity, reserved FROM order_lines
                            WHERE order_ref = o.order_ref) l) AS lines,
                       (SELECT row_to_json(s) FROM (SELECT id, carrier, tracking_number AS "trackingNumber",
                            dispatched_at AS "dispatchedAt", signed_by AS "signedBy", signed_at AS "signedAt",
                            delivery_note AS "deliveryNote" FROM shipments WHERE order_ref = o.order_ref) s) AS shipment
                FROM orders o WHERE o.order_ref = $1
                """, [.text(ref)], notFound: "logistics has no order \(ref)")
        }
        router.post("/orders/:ref/dispatch") { request, context in
            let ref = try context.parameters.require("ref")
            let body = try await HTTPJSON.decode(Dispatch.self, request)
            let event = try await env.perform { work in
                try Shipping.dispatch(DispatchShipment(orderRef: ref, carrier: body.carrier, trackingNumber: body.trackingNumber), work)
            }
            guard let event else { return try HTTPJSON.object(["orderRef": ref, "note": "dispatched already; nothing changed"]) }
            return try HTTPJSON.encodable(event)
        }
        router.post("/orders/:ref/deliver") { request, context in
            let ref = try context.parameters.require("ref")
            let body = try await HTTPJSON.decode(Delivery.self, request)
            var fields = ["orderRef": ref, "signedBy": body.signedBy, "signedAt": body.signedAt]
            fields["deliveryNote"] = body.deliveryNote
            // The same rules as the driver app's command: signed, with a real time.
            let command: DeliverShipment
            do { command = try ContractRegistry.decodeStrict(DeliverShipment.self, from: try JSONEncoder.contracts.encode(fields)) }
            catch let error as ContractError { throw APIError(.badRequest, error.code.rawValue, error.message) }
            let event = try await env.perform { work in try Shipping.deliver(command, work) }
            guard let event else { return try HTTPJSON.object(["orderRef": ref, "note": "delivered already; nothing changed"]) }
            return try HTTPJSON.encodable(event)
        }
        router.get("/returns") { _, _ in
            try await HTTPJSON.list(env.pool, """
                SELECT id, case_id AS "caseId", order_ref AS "orderRef", lines, status, condition, inspected_by AS "inspectedBy",
                       received_at AS "receivedAt" FROM returns ORDER BY status, order_ref
                """)
        }
        router.post("/returns/:id/receive") { request, context in
            guard let id = UUID(uuidString: try context.parameters.require("id")) else {
                throw APIError(.badRequest, "invalid-field", "id: must be a UUID")
            }
            let body = try await HTTPJSON.decode(ReturnInspection.self, request)
            let event = try await env.perform { work in
                try Shipping.receiveReturn(id, condition: body.condition, inspectedBy: body.inspectedBy, work)
            }
            return try HTTPJSON.encodable(event)
        }
    }
}
