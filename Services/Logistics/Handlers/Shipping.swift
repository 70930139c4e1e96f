import Contracts
import Foundation
import Messaging
import Storage

/// Dispatch from the warehouse and the signed delivery. A command that repeats what is
/// already done is answered by doing nothing; one that comes too early is refused with a reason.
enum Shipping {
    /// Returns the event, or nil when it was dispatched already.
    @discardableResult
    static func dispatch(_ command: DispatchShipment, _ work: UnitOfWork) throws -> ShipmentDispatched? {
        let tx = work.transaction
        func refuse(_ code: ReasonCode, _ message: String, waits: Bool = false) -> Refusal {
            Refusal(code, message, waitsForState: waits, event: DispatchRefused(orderRef: command.orderRef, reasonCode: code,
                                                                                 message: message, commandMessageId: work.cause.id))
        }
        guard let order = try tx.query("SELECT warehouse, status, correlation_id FROM orders WHERE order_ref = $1 FOR UPDATE",
                                       [.text(command.orderRef)]).first else {
            // Its acceptance may still be on its way to the warehouse.
            throw refuse(.unknownOrder, "logistics has no accepted order \(command.orderRef)", waits: true)
        }
        switch try order.string("status") {
        case "reserved": break
        case "dispatched", "delivered":
            work.logger.info("already dispatched", metadata: ["order_ref": "\(command.orderRef)"])
            return nil
        case "backordered": throw refuse(.notReady, "order \(command.orderRef) is backordered: not all stock is reserved yet")
        default: throw refuse(.orderCancelled, "order \(command.orderRef) was cancelled")
        }
        // Goods leave only once finance cleared the order (net terms, or every advance paid). The
        // clearance is often on its way (a sender saw it on the bus first): the command waits for it.
        if try tx.query("SELECT 1 FROM cleared_orders WHERE order_ref = $1", [.text(command.orderRef)]).isEmpty {
            if let unpaid = try tx.query("SELECT invoice_number FROM advance_invoices WHERE order_ref = $1 AND NOT paid LIMIT 1",
                                         [.text(command.orderRef)]).first {
                throw refuse(.awaitingPayment, "order \(command.orderRef) waits for invoice \(try unpaid.string("invoice_number")) "
                             + "(deposit or prepayment) to be paid before dispatch", waits: true)
            }
            throw refuse(.awaitingPayment, "finance has not cleared order \(command.orderRef) for dispatch yet", waits: true)
        }
        work.correlate(with: try order.optionalString("correlation_id"))
        let warehouse = try order.string("warehouse")
        for line in try tx.query("SELECT sku, quantity FROM order_lines WHERE order_ref = $1 ORDER BY sku", [.text(command.orderRef)]) {
            let quantity = try line.int("quantity")
            try StockKeeping.move(tx, warehouse, try line.string("sku"), "dispatch", onHand: -quantity, reserved: -quantity,
                                  orderRef: command.orderRef)
        }
        let id = UUID(), now = Date()
        try tx.execute("""
            INSERT INTO shipments (id, order_ref, carrier, tracking_number, dispatched_at) VALUES ($1, $2, $3, $4, $5)
            """, [.uuid(id), .text(command.orderRef), command.carrier.map(PGValue.text) ?? .null,
                  command.trackingNumber.map(PGValue.text) ?? .null, .timestamp(now)])
        try tx.execute("UPDATE orders SET status = 'dispatched', updated_at = now() WHERE order_ref = $1", [.text(command.orderRef)])
        let event = ShipmentDispatched(orderRef: command.orderRef, shipmentId: id, warehouse: warehouse, carrier: command.carrier,
                                       trackingNumber: command.trackingNumber, dispatchedAt: now)
        try work.publish(event)
        work.logger.info("dispatched", metadata: ["order_ref": "\(command.orderRef)", "warehouse": "\(warehouse)"])
        return event
    }

    /// Returns the event, or nil when it was delivered already.
    @discardableResult
    static func deliver(_ command: DeliverShipment, _ work: UnitOfWork) throws -> ShipmentDelivered? {
        let tx = work.transaction
        func refuse(_ code: ReasonCode, _ message: String, waits: Bool = false) -> Refusal {
            Refusal(code, message, waitsForState: waits, event: DeliveryRefused(orderRef: command.orderRef, reasonCode: code,
                                                                                 message: message, commandMessageId: work.cause.id))
        }
        guard let row = try tx.query("""
            SELECT s.id, o.status, o.correlation_id FROM orders o LEFT JOIN shipments s ON s.order_ref = o.order_ref
            WHERE o.order_ref = $1 FOR UPDATE OF o
            """, [.text(command.orderRef)]).first else {
            throw refuse(.unknownOrder, "logistics has no order \(command.orderRef)", waits: true)
        }
        switch try row.string("status") {
        case "dispatched": break
        case "delivered":
            work.logger.info("already delivered", metadata: ["order_ref": "\(command.orderRef)"])
            return nil
        default: throw refuse(.notDispatched, "order \(command.orderRef) has not been dispatched")
        }
        let shipment = try row.uuid("id")
        try tx.execute("UPDATE shipments SET signed_by = $2, signed_at = $3, delivery_note = $4 WHERE id = $1",
                       [.uuid(shipment), .text(command.signedBy), .timestamp(command.signedTime),
                        command.deliveryNote.map(PGValue.text) ?? .null])
        try tx.execute("UPDATE orders SET status = 'delivered', updated_at = now() WHERE order_ref = $1", [.text(command.orderRef)])
        let event = ShipmentDelivered(orderRef: command.orderRef, shipmentId: shipment, signedBy: command.signedBy,
                                      signedAt: command.signedTime)
        try work.publish(event, correlationId: try row.optionalString("correlation_id"))
        work.logger.info("delivered", metadata: ["order_ref": "\(command.orderRef)", "signed_by": "\(command.signedBy)"])
        return event
    }

    /// `finance.deposit.requested`: the goods wait for this invoice.
    static func advanceRequested(_ event: DepositRequested, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO advance_invoices (invoice_number, order_ref) VALUES ($1, $2) ON CONFLICT (invoice_number) DO NOTHING
            """, [.text(event.invoiceNumber), .text(event.orderRef)])
    }

    /// `finance.invoice.paid` / `finance.invoice.voided`: an advance no longer holds the goods back.
    static func advanceSettled(_ invoice: String, _ orderRef: String, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO advance_invoices (invoice_number, order_ref, paid) VALUES ($1, $2, true)
            ON CONFLICT (invoice_number) DO UPDATE SET paid = true
            """, [.text(invoice), .text(orderRef)])
    }

    /// `finance.order.cleared`: the goods may leave.
    static func cleared(_ event: OrderCleared, _ work: UnitOfWork) throws {
        try work.transaction.execute("INSERT INTO cleared_orders (order_ref, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                        [.text(event.orderRef), .text(event.reason)])
    }

    /// `customer_service.return.authorised`: the warehouse expects the goods back.
    static func expectReturn(_ event: ReturnAuthorised, _ work: UnitOfWork) throws {
        try work.transaction.execute("""
            INSERT INTO returns (id, case_id, order_ref, lines, status) VALUES ($1, $2, $3, $4, 'expected') ON CONFLICT (id) DO NOTHING
            """, [.uuid(event.returnId), .uuid(event.caseId), .text(event.orderRef),
                  .json(String(decoding: try JSONEncoder.contracts.encode(event.lines), as: UTF8.self))])
    }

    /// The returned goods arrived and were inspected: back into stock, or into quarantine.
    static func receiveReturn(_ id: UUID, condition: String, inspectedBy: String, _ work: UnitOfWork) throws -> ReturnReceived {
        let tx = work.transaction
        guard let row = try tx.query("""
            SELECT r.case_id, r.order_ref, r.lines::text AS lines, r.status, o.warehouse, o.correlation_id
            FROM returns r LEFT JOIN orders o ON o.order_ref = r.order_ref WHERE r.id = $1 FOR UPDATE OF r
            """, [.uuid(id)]).first else { throw Refusal(.notFound, "no expected return \(id.uuidString.lowercased())") }
        guard try row.string("status") == "expected" else { throw Refusal(.alreadyReceived, "return \(id.uuidString.lowercased()) was received already") }
        guard let warehouse = try row.optionalString("warehouse") else {
            throw Refusal(.unknownOrder, "the order of return \(id.uuidString.lowercased()) never reached a warehouse")
        }
        let orderRef = try row.string("order_ref")
        let lines = try row.json("lines", as: [ItemQuantity].self)
        for line in lines {
            if condition == "resellable" {
                try StockKeeping.move(tx, warehouse, line.sku, "return", onHand: line.quantity, orderRef: orderRef, reference: "return")
            } else {
                try StockKeeping.move(tx, warehouse, line.sku, "quarantine", quarantine: line.quantity, orderRef: orderRef, reference: "return")
            }
        }
        try tx.execute("UPDATE returns SET status = 'received', condition = $2, inspected_by = $3, received_at = now() WHERE id = $1",
                       [.uuid(id), .text(condition), .text(inspectedBy)])
        let event = ReturnReceived(returnId: id, caseId: try row.uuid("case_id"), orderRef: orderRef, lines: lines, condition: condition)
        try work.publish(event, correlationId: try row.optionalString("correlation_id"))
        if condition == "resellable" { for line in lines { try StockKeeping.fillBackorders(warehouse: warehouse, sku: line.sku, work) } }
        return event
    }
}
