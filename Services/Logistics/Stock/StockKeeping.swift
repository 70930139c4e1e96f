import Contracts
import Foundation
import LogisticsDomain
import Messaging
import Storage

/// Stock on hand, reserved and available per warehouse and SKU: reservations for accepted
/// orders, releases for cancelled ones, receipts that fill backorders.
enum StockKeeping {
    /// `sales.order.accepted`: reserve in the best warehouse, or reserve part and backorder the rest.
    static func reserve(_ order: OrderAccepted, _ work: UnitOfWork) throws {
        let store = WarehouseStore(tx: work.transaction)
        let lines = order.lines.map { ItemQuantity(sku: $0.sku, quantity: $0.quantity) }
        let skus = Array(Set(lines.map(\.sku))).sorted()
        let warehouses = try store.warehouseCodes()
        let available = try store.lockAvailable(skus)
        guard let plan = ReservationPlan.make(lines: lines, warehouses: warehouses, available: available) else {
            // No warehouse is set up at all: a person must add one, then replay the dead letter.
            throw Poison(.noWarehouse, "logistics has no warehouse to serve order \(order.orderRef)")
        }
        let status: ShipmentStatus = plan.isComplete ? .reserved : .backordered
        guard try store.takeIn(order, warehouse: plan.warehouse, status: status, correlationId: work.cause.correlationId ?? order.orderRef)
        else {
            work.logger.info("order already known to logistics", metadata: ["order_ref": "\(order.orderRef)"])
            return
        }
        let reserved = Dictionary(plan.reserve.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
        for sku in skus {
            let quantity = lines.filter { $0.sku == sku }.reduce(0) { $0 + $1.quantity }
            try store.addLine(order.orderRef, sku: sku, quantity: quantity, reserved: reserved[sku] ?? 0)
            if let take = reserved[sku] {
                try store.move(plan.warehouse, sku, "reserve", reserved: take, orderRef: order.orderRef)
            } else {
                try store.ensureStockRow(plan.warehouse, sku)
            }
        }
        if plan.isComplete {
            try work.publish(StockReserved(orderRef: order.orderRef, warehouse: plan.warehouse, lines: plan.reserve))
        } else {
            try work.publish(StockBackordered(orderRef: order.orderRef, warehouse: plan.warehouse, missing: plan.missing))
        }
        work.logger.info("order \(status.rawValue)", metadata: ["order_ref": "\(order.orderRef)", "warehouse": "\(plan.warehouse)"])
    }

    /// `sales.order.cancel_requested`: what was reserved goes back to available stock, and
    /// sales hears it (`logistics.stock.released`); if the goods already left, it hears that.
    static func release(_ event: OrderCancelRequested, _ work: UnitOfWork) throws {
        let store = WarehouseStore(tx: work.transaction)
        guard let order = try store.lockOrder(event.orderRef) else {
            guard try store.rememberCancelled(event.orderRef, customer: event.customerCode) else {
                // Its acceptance committed meanwhile: try again, and release what it reserved.
                throw RetryLater("order \(event.orderRef) was being reserved while its cancellation arrived")
            }
            try work.publish(StockReleased(orderRef: event.orderRef, warehouse: "-", lines: []))
            return
        }
        switch order.status.on(.cancel) {
        case .refused:
            try work.publish(CancellationRefused(orderRef: event.orderRef, status: order.status.rawValue,
                                                 message: "order \(event.orderRef) was \(order.status.rawValue) before the cancellation arrived"))
            work.logger.notice("cancellation refused: goods already left", metadata: ["order_ref": "\(event.orderRef)"])
        case .alreadyDone:
            // Cancelled already (a repeated request): say so again, nothing more to release.
            try work.publish(StockReleased(orderRef: event.orderRef, warehouse: order.warehouse ?? "-", lines: []))
        case .moves(let next):
            let warehouse = order.warehouse ?? "-"
            var released: [ItemQuantity] = []
            for line in try store.lines(event.orderRef) where line.reserved > 0 {
                try store.move(warehouse, line.sku, "release", reserved: -line.reserved, orderRef: event.orderRef)
                released.append(ItemQuantity(sku: line.sku, quantity: line.reserved))
            }
            try store.clearReservations(event.orderRef)
            try store.setStatus(event.orderRef, next)
            try work.publish(StockReleased(orderRef: event.orderRef, warehouse: warehouse, lines: released))
            work.logger.info("reservation released", metadata: ["order_ref": "\(event.orderRef)"])
            // What was released may complete someone else's backorder.
            for item in released { try fillBackorders(warehouse: warehouse, sku: item.sku, work) }
        }
    }

    /// Goods received into a warehouse (once per reference), then handed to backorders.
    static func receive(warehouse: String, sku: String, quantity: Int64, reference: String, purchaseOrder: String? = nil,
                        _ work: UnitOfWork) throws -> Bool {
        let store = WarehouseStore(tx: work.transaction)
        guard try store.warehouseExists(warehouse) else { throw Refusal(.unknownWarehouse, "no warehouse \(warehouse)") }
        guard try store.recordReceipt(reference, warehouse: warehouse, sku: sku, quantity: quantity, purchaseOrder: purchaseOrder) else {
            return false
        }
        try store.move(warehouse, sku, "receipt", onHand: quantity, reference: reference)
        try fillBackorders(warehouse: warehouse, sku: sku, work)
        let level = try store.lockLevel(warehouse, sku)!
        try work.publish(StockReceived(warehouse: warehouse, sku: sku, quantity: quantity, reference: reference,
                                       onHand: level.onHand, available: level.available))
        work.logger.info("stock received", metadata: ["warehouse": "\(warehouse)", "sku": "\(sku)", "quantity": "\(quantity)"])
        return true
    }

    /// Hands available stock of one SKU to backordered orders, oldest first; an order whose
    /// every line is now reserved is announced as reserved.
    static func fillBackorders(warehouse: String, sku: String, _ work: UnitOfWork) throws {
        let store = WarehouseStore(tx: work.transaction)
        guard let level = try store.lockLevel(warehouse, sku) else { return }
        let waiting = try store.lockBackorders(warehouse, sku)
        let correlation = Dictionary(waiting.map { ($0.order, $0.correlationId) }, uniquingKeysWith: { a, _ in a })
        let fills = BackorderFill.allocate(received: level.available, waiting: waiting.map { ($0.order, $0.missing) })
        for (orderRef, quantity) in fills {
            try store.addReserved(orderRef, sku: sku, quantity)
            try store.move(warehouse, sku, "reserve", reserved: quantity, orderRef: orderRef)
            let lines = try store.lines(orderRef)
            guard lines.allSatisfy({ $0.reserved >= $0.quantity }) else { continue }
            try store.setStatus(orderRef, .reserved)
            try work.publish(StockReserved(orderRef: orderRef, warehouse: warehouse,
                                           lines: lines.map { ItemQuantity(sku: $0.sku, quantity: $0.quantity) }),
                             correlationId: correlation[orderRef] ?? orderRef)
            work.logger.info("backorder filled", metadata: ["order_ref": "\(orderRef)"])
        }
    }
}
