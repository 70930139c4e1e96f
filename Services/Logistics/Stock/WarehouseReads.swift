import Contracts
import Foundation
import Storage

struct StockView: Codable, Sendable, Equatable {
    let warehouse: String
    let sku: String
    let onHand: Int64
    let reserved: Int64
    let available: Int64
    let quarantine: Int64
    let reorderPoint: Int64
    /// Units backordered orders still wait for here.
    let backordered: Int64
    /// The keyset cursor of the list.
    let seq: Int64
}

struct MovementView: Codable, Sendable, Equatable {
    let id: Int64
    let at: Date
    let warehouse: String
    let sku: String
    let kind: String
    let onHandDelta: Int64
    let reservedDelta: Int64
    let quarantineDelta: Int64
    let orderRef: String?
    let reference: String?
    /// Who caused it: a person (token subject) or an outside system; absent for rows from before it was kept.
    let actor: String?
}

struct WarehouseView: Codable, Sendable, Equatable {
    let code: String
    let name: String
    let branch: String
    let priority: Int64
}

struct WarehouseOrderView: Codable, Sendable, Equatable {
    struct Line: Codable, Sendable, Equatable { let sku: String; let quantity: Int64; let reserved: Int64 }
    struct Shipment: Codable, Sendable, Equatable {
        let id: UUID
        let carrier: String?
        let trackingNumber: String?
        let dispatchedAt: Date
        let signedBy: String?
        let signedAt: Date?
        let deliveryNote: String?
    }
    let orderRef: String
    let customerCode: String
    let warehouse: String?
    let status: String
    let deliveryAddress: PlaceOrder.Address?
    /// Advance invoices (deposit, prepayment) still unpaid.
    let awaitingPayment: [String]
    let clearedForDispatch: Bool
    let lines: [Line]
    let shipment: Shipment?
}

struct ReturnView: Codable, Sendable, Equatable {
    let id: UUID
    let caseId: UUID
    let orderRef: String
    let lines: [ItemQuantity]
    let status: String
    let condition: String?
    let inspectedBy: String?
    let receivedAt: Date?
    let seq: Int64
}

/// The reads, inside one transaction (`ServiceEnvironment.read`). Lists oldest first after a
/// cursor, `limit` rows (callers ask one more to tell a next page).
struct WarehouseReads {
    let tx: Transaction

    func stock(sku: String?, after: Int64, limit: Int) throws -> [StockView] {
        try tx.query("""
            SELECT s.warehouse, s.sku, s.on_hand, s.reserved, s.on_hand - s.reserved AS available, s.quarantine, s.reorder_point, s.seq,
                   (SELECT COALESCE(sum(l.quantity - l.reserved), 0) FROM order_lines l JOIN orders o USING (order_ref)
                    WHERE o.status = 'backordered' AND o.warehouse = s.warehouse AND l.sku = s.sku)::bigint AS backordered
            FROM stock s WHERE ($1::text IS NULL OR s.sku = $1) AND s.seq > $2 ORDER BY s.seq LIMIT $3
            """, [sku.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit))]).map { r in
            StockView(warehouse: try r.string("warehouse"), sku: try r.string("sku"), onHand: try r.int("on_hand"),
                      reserved: try r.int("reserved"), available: try r.int("available"), quarantine: try r.int("quarantine"),
                      reorderPoint: try r.int("reorder_point"), backordered: try r.int("backordered"), seq: try r.int("seq"))
        }
    }

    func movements(sku: String?, order: String?, after: Int64, limit: Int) throws -> [MovementView] {
        try tx.query("""
            SELECT id, at, warehouse, sku, kind, on_hand_delta, reserved_delta, quarantine_delta, order_ref, reference, actor FROM movements
            WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR order_ref = $2) AND id > $3 ORDER BY id LIMIT $4
            """, [sku.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit))]).map { r in
            MovementView(id: try r.int("id"), at: try r.timestamp("at"), warehouse: try r.string("warehouse"), sku: try r.string("sku"),
                         kind: try r.string("kind"), onHandDelta: try r.int("on_hand_delta"), reservedDelta: try r.int("reserved_delta"),
                         quarantineDelta: try r.int("quarantine_delta"), orderRef: try r.optionalString("order_ref"),
                         reference: try r.optionalString("reference"), actor: try r.optionalString("actor"))
        }
    }

    func warehouses(after: String, limit: Int) throws -> [WarehouseView] {
        try tx.query("SELECT code, name, branch, priority FROM warehouses WHERE code > $1 ORDER BY code LIMIT $2",
                     [.text(after), .int(Int64(limit))]).map { r in
            WarehouseView(code: try r.string("code"), name: try r.string("name"), branch: try r.string("branch"), priority: try r.int("priority"))
        }
    }

    func order(_ ref: String) throws -> WarehouseOrderView? {
        guard let o = try tx.query("""
            SELECT order_ref, customer_code, warehouse, status, delivery_address::text AS address,
                   EXISTS (SELECT 1 FROM cleared_orders c WHERE c.order_ref = o.order_ref) AS cleared
            FROM orders o WHERE order_ref = $1
            """, [.text(ref)]).first else { return nil }
        let awaiting = try tx.query("SELECT invoice_number FROM advance_invoices WHERE order_ref = $1 AND NOT paid ORDER BY invoice_number",
                                    [.text(ref)]).map { try $0.string("invoice_number") }
        let lines = try WarehouseStore(tx: tx).lines(ref).map { WarehouseOrderView.Line(sku: $0.sku, quantity: $0.quantity, reserved: $0.reserved) }
        let shipment = try tx.query("""
            SELECT id, carrier, tracking_number, dispatched_at, signed_by, signed_at, delivery_note FROM shipments WHERE order_ref = $1
            """, [.text(ref)]).first.map { s in
            WarehouseOrderView.Shipment(id: try s.uuid("id"), carrier: try s.optionalString("carrier"),
                                        trackingNumber: try s.optionalString("tracking_number"), dispatchedAt: try s.timestamp("dispatched_at"),
                                        signedBy: try s.optionalString("signed_by"),
                                        signedAt: try s.isNull("signed_at") ? nil : try s.timestamp("signed_at"),
                                        deliveryNote: try s.optionalString("delivery_note"))
        }
        return WarehouseOrderView(orderRef: try o.string("order_ref"), customerCode: try o.string("customer_code"),
                                  warehouse: try o.optionalString("warehouse"), status: try o.string("status"),
                                  deliveryAddress: try o.isNull("address") ? nil : try o.json("address", as: PlaceOrder.Address.self),
                                  awaitingPayment: awaiting, clearedForDispatch: try o.bool("cleared"), lines: lines, shipment: shipment)
    }

    func returns(status: String?, order: String?, after: Int64, limit: Int) throws -> [ReturnView] {
        try tx.query("""
            SELECT id, case_id, order_ref, lines::text AS lines, status, condition, inspected_by, received_at, seq FROM returns
            WHERE ($1::text IS NULL OR status = $1) AND ($4::text IS NULL OR order_ref = $4) AND seq > $2 ORDER BY seq LIMIT $3
            """, [status.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit)), order.map(PGValue.text) ?? .null]).map { r in
            ReturnView(id: try r.uuid("id"), caseId: try r.uuid("case_id"), orderRef: try r.string("order_ref"),
                       lines: try r.json("lines", as: [ItemQuantity].self), status: try r.string("status"),
                       condition: try r.optionalString("condition"), inspectedBy: try r.optionalString("inspected_by"),
                       receivedAt: try r.isNull("received_at") ? nil : try r.timestamp("received_at"), seq: try r.int("seq"))
        }
    }
}
