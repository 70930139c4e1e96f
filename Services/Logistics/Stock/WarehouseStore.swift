import Contracts
import Foundation
import LogisticsDomain
import Storage

/// An order as the warehouse keeps it.
struct WarehouseOrder: Sendable, Equatable {
    let ref: String
    let warehouse: String?
    let status: ShipmentStatus
    let correlationId: String?
}

/// Every statement logistics runs when it changes something, behind typed methods, inside
/// the work's transaction. Stock changes only through `move`, which writes the ledger row with it.
struct WarehouseStore {
    let tx: Transaction

    // MARK: stock and its ledger

    func move(_ warehouse: String, _ sku: String, _ kind: String, onHand: Int64 = 0, reserved: Int64 = 0, quarantine: Int64 = 0,
              orderRef: String? = nil, reference: String? = nil) throws {
        // UPDATE first: an INSERT … ON CONFLICT checks the row it would insert, deltas and all.
        let updated = try tx.query("""
            UPDATE stock SET on_hand = on_hand + $3, reserved = reserved + $4, quarantine = quarantine + $5
            WHERE warehouse = $1 AND sku = $2 RETURNING sku
            """, [.text(warehouse), .text(sku), .int(onHand), .int(reserved), .int(quarantine)])
        if updated.isEmpty {
            try tx.execute("INSERT INTO stock (warehouse, sku, on_hand, reserved, quarantine) VALUES ($1, $2, $3, $4, $5)",
                           [.text(warehouse), .text(sku), .int(onHand), .int(reserved), .int(quarantine)])
        }
        try tx.execute("""
            INSERT INTO movements (warehouse, sku, kind, on_hand_delta, reserved_delta, quarantine_delta, order_ref, reference)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text(warehouse), .text(sku), .text(kind), .int(onHand), .int(reserved), .int(quarantine),
                  orderRef.map(PGValue.text) ?? .null, reference.map(PGValue.text) ?? .null])
    }

    /// A stock row to receive into, so a backorder is visible per SKU.
    func ensureStockRow(_ warehouse: String, _ sku: String) throws {
        try tx.execute("INSERT INTO stock (warehouse, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING", [.text(warehouse), .text(sku)])
    }

    /// Warehouse codes in order of preference.
    func warehouseCodes() throws -> [String] {
        try tx.query("SELECT code FROM warehouses ORDER BY priority, code").map { try $0.string("code") }
    }

    func warehouseExists(_ code: String) throws -> Bool {
        try !tx.query("SELECT 1 FROM warehouses WHERE code = $1", [.text(code)]).isEmpty
    }

    /// A warehouse as saved, as JSON: what the change log keeps.
    func warehouseSnapshot(_ code: String) throws -> String {
        try tx.query("SELECT to_jsonb(w)::text AS change FROM warehouses w WHERE w.code = $1", [.text(code)]).first!.string("change")
    }

    func saveWarehouse(_ code: String, name: String, branch: String, priority: Int) throws {
        try tx.execute("""
            INSERT INTO warehouses (code, name, branch, priority) VALUES ($1, $2, $3, $4)
            ON CONFLICT (code) DO UPDATE SET name = $2, branch = $3, priority = $4
            """, [.text(code), .text(name), .text(branch), .int(Int64(priority))])
    }

    /// Available stock of these SKUs per warehouse, the rows locked in a fixed order so
    /// concurrent reservations queue instead of deadlocking.
    func lockAvailable(_ skus: [String]) throws -> [String: [String: Int64]] {
        var available: [String: [String: Int64]] = [:]
        for row in try tx.query("""
            SELECT warehouse, sku, on_hand - reserved AS available FROM stock WHERE sku = ANY($1::text[])
            ORDER BY warehouse, sku FOR UPDATE
            """, [.textArray(skus)]) {
            available[try row.string("warehouse"), default: [:]][try row.string("sku")] = try row.int("available")
        }
        return available
    }

    /// Locked; nil when there is no row.
    func lockLevel(_ warehouse: String, _ sku: String) throws -> (onHand: Int64, available: Int64)? {
        try tx.query("SELECT on_hand, on_hand - reserved AS available FROM stock WHERE warehouse = $1 AND sku = $2 FOR UPDATE",
                     [.text(warehouse), .text(sku)]).first.map { (try $0.int("on_hand"), try $0.int("available")) }
    }

    /// Once per reference; false when it was recorded before.
    func recordReceipt(_ reference: String, warehouse: String, sku: String, quantity: Int64, purchaseOrder: String? = nil) throws -> Bool {
        try !tx.query("""
            INSERT INTO receipts (reference, warehouse, sku, quantity, purchase_order) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (reference) DO NOTHING RETURNING reference
            """, [.text(reference), .text(warehouse), .text(sku), .int(quantity), purchaseOrder.map(PGValue.text) ?? .null]).isEmpty
    }

    // MARK: orders

    /// False when logistics knows the order already (reserved earlier, or cancelled first).
    func takeIn(_ order: OrderAccepted, warehouse: String, status: ShipmentStatus, correlationId: String) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (order_ref, customer_code, warehouse, status, delivery_address, correlation_id)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .text(warehouse), .text(status.rawValue),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.deliveryAddress), as: UTF8.self)),
                  .text(correlationId)]).isEmpty
    }

    /// A cancellation that came before the acceptance: remembered, so a late acceptance reserves
    /// nothing. False when the acceptance won a race and the order exists now (go the normal way).
    func rememberCancelled(_ ref: String, customer: String) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (order_ref, customer_code, status) VALUES ($1, $2, 'cancelled') ON CONFLICT DO NOTHING RETURNING order_ref
            """, [.text(ref), .text(customer)]).isEmpty
    }

    func addLine(_ ref: String, sku: String, quantity: Int64, reserved: Int64) throws {
        try tx.execute("INSERT INTO order_lines (order_ref, sku, quantity, reserved) VALUES ($1, $2, $3, $4)",
                       [.text(ref), .text(sku), .int(quantity), .int(reserved)])
    }

    func lockOrder(_ ref: String) throws -> WarehouseOrder? {
        try tx.query("SELECT order_ref, warehouse, status, correlation_id FROM orders WHERE order_ref = $1 FOR UPDATE", [.text(ref)])
            .first.map { row in
                WarehouseOrder(ref: try row.string("order_ref"), warehouse: try row.optionalString("warehouse"),
                               status: try row.code("status", as: ShipmentStatus.self), correlationId: try row.optionalString("correlation_id"))
            }
    }

    func setStatus(_ ref: String, _ status: ShipmentStatus) throws {
        try tx.execute("UPDATE orders SET status = $2, updated_at = now() WHERE order_ref = $1", [.text(ref), .text(status.rawValue)])
    }

    /// The order's lines, by SKU.
    func lines(_ ref: String) throws -> [(sku: String, quantity: Int64, reserved: Int64)] {
        try tx.query("SELECT sku, quantity, reserved FROM order_lines WHERE order_ref = $1 ORDER BY sku", [.text(ref)])
            .map { (try $0.string("sku"), try $0.int("quantity"), try $0.int("reserved")) }
    }

    func clearReservations(_ ref: String) throws {
        try tx.execute("UPDATE order_lines SET reserved = 0 WHERE order_ref = $1", [.text(ref)])
    }

    /// Backordered lines of one SKU in a warehouse, oldest order first, locked.
    func lockBackorders(_ warehouse: String, _ sku: String) throws -> [(order: String, missing: Int64, correlationId: String?)] {
        try tx.query("""
            SELECT o.order_ref, l.quantity - l.reserved AS missing, o.correlation_id FROM orders o
            JOIN order_lines l ON l.order_ref = o.order_ref
            WHERE o.status = 'backordered' AND o.warehouse = $1 AND l.sku = $2 AND l.reserved < l.quantity
            ORDER BY o.accepted_at, o.order_ref FOR UPDATE OF o, l
            """, [.text(warehouse), .text(sku)]).map { (try $0.string("order_ref"), try $0.int("missing"), try $0.optionalString("correlation_id")) }
    }

    func addReserved(_ ref: String, sku: String, _ quantity: Int64) throws {
        try tx.execute("UPDATE order_lines SET reserved = reserved + $3 WHERE order_ref = $1 AND sku = $2",
                       [.text(ref), .text(sku), .int(quantity)])
    }

    // MARK: shipments

    func addShipment(_ id: UUID, order: String, carrier: String?, trackingNumber: String?, at time: Date) throws {
        try tx.execute("""
            INSERT INTO shipments (id, order_ref, carrier, tracking_number, dispatched_at) VALUES ($1, $2, $3, $4, $5)
            """, [.uuid(id), .text(order), carrier.map(PGValue.text) ?? .null, trackingNumber.map(PGValue.text) ?? .null, .timestamp(time)])
    }

    func shipmentId(_ order: String) throws -> UUID? {
        try tx.query("SELECT id FROM shipments WHERE order_ref = $1", [.text(order)]).first.map { try $0.uuid("id") }
    }

    func sign(_ shipment: UUID, by person: String, at time: Date, note: String?) throws {
        try tx.execute("UPDATE shipments SET signed_by = $2, signed_at = $3, delivery_note = $4 WHERE id = $1",
                       [.uuid(shipment), .text(person), .timestamp(time), note.map(PGValue.text) ?? .null])
    }

    // MARK: finance's clearance

    func expectAdvance(_ invoice: String, order: String) throws {
        try tx.execute("INSERT INTO advance_invoices (invoice_number, order_ref) VALUES ($1, $2) ON CONFLICT (invoice_number) DO NOTHING",
                       [.text(invoice), .text(order)])
    }

    func advancePaid(_ invoice: String, order: String) throws {
        try tx.execute("""
            INSERT INTO advance_invoices (invoice_number, order_ref, paid) VALUES ($1, $2, true)
            ON CONFLICT (invoice_number) DO UPDATE SET paid = true
            """, [.text(invoice), .text(order)])
    }

    func firstUnpaidAdvance(_ order: String) throws -> String? {
        try tx.query("SELECT invoice_number FROM advance_invoices WHERE order_ref = $1 AND NOT paid ORDER BY invoice_number LIMIT 1",
                     [.text(order)]).first.map { try $0.string("invoice_number") }
    }

    func markCleared(_ order: String, reason: String) throws {
        try tx.execute("INSERT INTO cleared_orders (order_ref, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING", [.text(order), .text(reason)])
    }

    func isCleared(_ order: String) throws -> Bool {
        try !tx.query("SELECT 1 FROM cleared_orders WHERE order_ref = $1", [.text(order)]).isEmpty
    }

    // MARK: returns

    func expectReturn(_ id: UUID, case caseId: UUID, order: String, lines: [ItemQuantity]) throws {
        try tx.execute("""
            INSERT INTO returns (id, case_id, order_ref, lines, status) VALUES ($1, $2, $3, $4, 'expected') ON CONFLICT (id) DO NOTHING
            """, [.uuid(id), .uuid(caseId), .text(order), .json(String(decoding: try JSONEncoder.contracts.encode(lines), as: UTF8.self))])
    }

    /// The return, locked, with the warehouse and correlation of its order (nil when it never reached one).
    func lockReturn(_ id: UUID) throws -> (caseId: UUID, order: String, lines: [ItemQuantity], received: Bool, warehouse: String?,
                                           correlationId: String?)? {
        try tx.query("""
            SELECT r.case_id, r.order_ref, r.lines::text AS lines, r.status, o.warehouse, o.correlation_id
            FROM returns r LEFT JOIN orders o ON o.order_ref = r.order_ref WHERE r.id = $1 FOR UPDATE OF r
            """, [.uuid(id)]).first.map { row in
            (try row.uuid("case_id"), try row.string("order_ref"), try row.json("lines", as: [ItemQuantity].self),
             try row.string("status") == "received", try row.optionalString("warehouse"), try row.optionalString("correlation_id"))
        }
    }

    func markReturnReceived(_ id: UUID, condition: String, inspectedBy: String) throws {
        try tx.execute("UPDATE returns SET status = 'received', condition = $2, inspected_by = $3, received_at = now() WHERE id = $1",
                       [.uuid(id), .text(condition), .text(inspectedBy)])
    }
}
