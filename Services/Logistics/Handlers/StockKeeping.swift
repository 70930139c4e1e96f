import Contracts
import Foundation
import LogisticsDomain
import Messaging
import Storage

/// Stock on hand, reserved and available per warehouse and SKU. Every change goes through
/// `move`, which writes the ledger row and the stock row together.
enum StockKeeping {
    static func move(_ tx: Transaction, _ warehouse: String, _ sku: String, _ kind: String, onHand: Int64 = 0,
                     reserved: Int64 = 0, quarantine: Int64 = 0, orderRef: String? = nil, reference: String? = nil) throws {
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

    /// `sales.order.accepted`: reserve in the best warehouse, or reserve part and backorder the rest.
    static func reserve(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        let tx = work.transaction
        let lines = order.lines.map { ItemQuantity(sku: $0.sku, quantity: $0.quantity) }
        let skus = Array(Set(lines.map(\.sku))).sorted()
        let warehouses = try tx.query("SELECT code FROM warehouses ORDER BY priority, code").map { try $0.string("code") }
        // Lock the stock rows in a fixed order so concurrent reservations queue instead of deadlocking.
        var available: [String: [String: Int64]] = [:]
        for row in try tx.query("""
            SELECT warehouse, sku, on_hand - reserved AS available FROM stock WHERE sku = ANY($1::text[])
            ORDER BY warehouse, sku FOR UPDATE
            """, [.textArray(skus)]) {
            available[try row.string("warehouse"), default: [:]][try row.string("sku")] = try row.int("available")
        }
        guard let plan = ReservationPlan.make(lines: lines, warehouses: warehouses, available: available) else {
            // No warehouse is set up at all: a person must add one, then replay the dead letter.
            throw Poison(.noWarehouse, "logistics has no warehouse to serve order \(order.orderRef)")
        }
        let status = plan.isComplete ? "reserved" : "backordered"
        let inserted = try tx.query("""
            INSERT INTO orders (order_ref, customer_code, warehouse, status, delivery_address, correlation_id)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_ref) DO NOTHING RETURNING order_ref
            """, [.text(order.orderRef), .text(order.customerCode), .text(plan.warehouse), .text(status),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.deliveryAddress), as: UTF8.self)),
                  .text(work.cause.correlationId ?? order.orderRef)])
        guard !inserted.isEmpty else {
            // Known already: reserved earlier, or cancelled before it was accepted.
            work.logger.info("order already known to logistics", metadata: ["order_ref": "\(order.orderRef)"])
            return
        }
        let reserved = Dictionary(plan.reserve.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
        for sku in skus {
            let quantity = lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.quantity }
            try tx.execute("INSERT INTO order_lines (order_ref, sku, quantity, reserved) VALUES ($1, $2, $3, $4)",
                           [.text(order.orderRef), .text(sku), .int(quantity), .int(reserved[sku] ?? 0)])
            if let take = reserved[sku] {
                try move(tx, plan.warehouse, sku, "reserve", reserved: take, orderRef: order.orderRef)
            } else {
                // A stock row to receive into, so the backorder is visible per SKU.
                try tx.execute("INSERT INTO stock (warehouse, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                               [.text(plan.warehouse), .text(sku)])
            }
        }
        if plan.isComplete {
            try work.publish(StockReserved(orderRef: order.orderRef, warehouse: plan.warehouse, lines: plan.reserve))
        } else {
            try work.publish(StockBackordered(orderRef: order.orderRef, warehouse: plan.warehouse, missing: plan.missing))
        }
        work.logger.info("order \(status)", metadata: ["order_ref": "\(order.orderRef)", "warehouse": "\(plan.warehouse)"])
    }

    /// `sales.order.cancel_requested`: what was reserved goes back to available stock, and
    /// sales hears it (`logistics.stock.released`); if the goods already left, it hears that.
    static func release(_ event: OrderCancelRequested, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let row = try tx.query("SELECT warehouse, status FROM orders WHERE order_ref = $1 FOR UPDATE",
                                     [.text(event.orderRef)]).first else {
            // Cancelled before logistics heard of it: remember, so a late acceptance reserves nothing.
            try tx.execute("INSERT INTO orders (order_ref, customer_code, status) VALUES ($1, $2, 'cancelled')",
                           [.text(event.orderRef), .text(event.customerCode)])
            try work.publish(StockReleased(orderRef: event.orderRef, warehouse: "-", lines: []))
            return
        }
        let status = try row.string("status")
        if status == "dispatched" || status == "delivered" {
            try work.publish(CancellationRefused(orderRef: event.orderRef, status: status,
                                                    message: "order \(event.orderRef) was \(status) before the cancellation arrived"))
            work.logger.notice("cancellation refused: goods already left", metadata: ["order_ref": "\(event.orderRef)"])
            return
        }
        guard status == "reserved" || status == "backordered" else {
            // Cancelled already (a repeated request): say so again, nothing more to release.
            try work.publish(StockReleased(orderRef: event.orderRef, warehouse: try row.optionalString("warehouse") ?? "-", lines: []))
            return
        }
        let warehouse = try row.string("warehouse")
        var released: [ItemQuantity] = []
        for line in try tx.query("SELECT sku, reserved FROM order_lines WHERE order_ref = $1 AND reserved > 0 ORDER BY sku",
                                 [.text(event.orderRef)]) {
            let sku = try line.string("sku"), quantity = try line.int("reserved")
            try move(tx, warehouse, sku, "release", reserved: -quantity, orderRef: event.orderRef)
            released.append(ItemQuantity(sku: sku, quantity: quantity))
        }
        try tx.execute("UPDATE order_lines SET reserved = 0 WHERE order_ref = $1", [.text(event.orderRef)])
        try tx.execute("UPDATE orders SET status = 'cancelled', updated_at = now() WHERE order_ref = $1", [.text(event.orderRef)])
        try work.publish(StockReleased(orderRef: event.orderRef, warehouse: warehouse, lines: released))
        work.logger.info("reservation released", metadata: ["order_ref": "\(event.orderRef)"])
        // What was released may complete someone else's backorder.
        for item in released { try fillBackorders(warehouse: warehouse, sku: item.sku, work) }
    }

    /// Goods received into a warehouse (once per reference), then handed to backorders.
    static func receive(warehouse: String, sku: String, quantity: Int64, reference: String, _ work: UnitOfWork) throws -> Bool {
        let tx = work.transaction
        guard try !tx.query("SELECT 1 FROM warehouses WHERE code = $1", [.text(warehouse)]).isEmpty else {
            throw Refusal(.unknownWarehouse, "no warehouse \(warehouse)")
        }
        let fresh = try tx.query("""
            INSERT INTO receipts (reference, warehouse, sku, quantity) VALUES ($1, $2, $3, $4)
            ON CONFLICT (reference) DO NOTHING RETURNING reference
            """, [.text(reference), .text(warehouse), .text(sku), .int(quantity)])
        guard !fresh.isEmpty else { return false }
        try move(tx, warehouse, sku, "receipt", onHand: quantity, reference: reference)
        try fillBackorders(warehouse: warehouse, sku: sku, work)
        let level = try tx.query("SELECT on_hand, on_hand - reserved AS available FROM stock WHERE warehouse = $1 AND sku = $2",
                                 [.text(warehouse), .text(sku)]).first!
        try work.publish(StockReceived(warehouse: warehouse, sku: sku, quantity: quantity, reference: reference,
                                       onHand: try level.int("on_hand"), available: try level.int("available")))
        work.logger.info("stock received", metadata: ["warehouse": "\(warehouse)", "sku": "\(sku)", "quantity": "\(quantity)"])
        return true
    }

    /// Hands available stock of one SKU to backordered orders, oldest first; an order whose
    /// every line is now reserved is announced as reserved.
    static func fillBackorders(warehouse: String, sku: String, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let level = try tx.query("SELECT on_hand - reserved AS available FROM stock WHERE warehouse = $1 AND sku = $2 FOR UPDATE",
                                       [.text(warehouse), .text(sku)]).first else { return }
        let waiting = try tx.query("""
            SELECT o.order_ref, l.quantity - l.reserved AS missing, o.correlation_id FROM orders o
            JOIN order_lines l ON l.order_ref = o.order_ref
            WHERE o.status = 'backordered' AND o.warehouse = $1 AND l.sku = $2 AND l.reserved < l.quantity
            ORDER BY o.accepted_at, o.order_ref FOR UPDATE OF o, l
            """, [.text(warehouse), .text(sku)])
        let correlation = Dictionary(try waiting.map { (try $0.string("order_ref"), try $0.optionalString("correlation_id")) },
                                     uniquingKeysWith: { a, _ in a })
        let fills = BackorderFill.allocate(received: try level.int("available"),
                                           waiting: try waiting.map { (try $0.string("order_ref"), try $0.int("missing")) })
        for (orderRef, quantity) in fills {
            try tx.execute("UPDATE order_lines SET reserved = reserved + $3 WHERE order_ref = $1 AND sku = $2",
                           [.text(orderRef), .text(sku), .int(quantity)])
            try move(tx, warehouse, sku, "reserve", reserved: quantity, orderRef: orderRef)
            let open = try tx.query("SELECT 1 FROM order_lines WHERE order_ref = $1 AND reserved < quantity", [.text(orderRef)])
            guard open.isEmpty else { continue }
            try tx.execute("UPDATE orders SET status = 'reserved', updated_at = now() WHERE order_ref = $1", [.text(orderRef)])
            let lines = try tx.query("SELECT sku, quantity FROM order_lines WHERE order_ref = $1 ORDER BY sku", [.text(orderRef)])
                .map { ItemQuantity(sku: try $0.string("sku"), quantity: try $0.int("quantity")) }
            try work.publish(StockReserved(orderRef: orderRef, warehouse: warehouse, lines: lines),
                             correlationId: correlation[orderRef] ?? orderRef)
            work.logger.info("backorder filled", metadata: ["order_ref": "\(orderRef)"])
        }
    }
}
