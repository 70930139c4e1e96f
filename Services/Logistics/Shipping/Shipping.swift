import Contracts
import Foundation
import LogisticsDomain
import Messaging
import Storage

/// Dispatch from the warehouse and the signed delivery. A command that repeats what is
/// already done is answered by doing nothing; one the state does not allow is refused.
enum Shipping {
    /// Returns the event, or nil when it was dispatched already.
    @discardableResult
    static func dispatch(_ command: DispatchShipment, _ work: UnitOfWork) throws -> ShipmentDispatched? {
        let store = WarehouseStore(tx: work.transaction)
        func refuse(_ code: ReasonCode, _ message: String, waits: Bool = false) -> Refusal {
            Refusal(code, message, waitsForState: waits, event: DispatchRefused(orderRef: command.orderRef, reasonCode: code,
                                                                                 message: message, commandMessageId: work.cause.id))
        }
        guard let order = try store.lockOrder(command.orderRef) else {
            // Its acceptance may still be on its way to the warehouse.
            throw refuse(.unknownOrder, "logistics has no accepted order \(command.orderRef)", waits: true)
        }
        switch order.status.on(.dispatch) {
        case .alreadyDone:
            work.logger.info("already dispatched", metadata: ["order_ref": "\(command.orderRef)"])
            return nil
        case .refused(let code):
            throw refuse(code, code == .notReady ? "order \(command.orderRef) is backordered: not all stock is reserved yet"
                                                 : "order \(command.orderRef) was cancelled")
        case .moves(let next):
            // The clearance is often on its way (a sender saw it on the bus first): the command waits for it.
            if let code = DispatchClearance.refusal(cleared: try store.isCleared(command.orderRef)) {
                if let unpaid = try store.firstUnpaidAdvance(command.orderRef) {
                    throw refuse(code, "order \(command.orderRef) waits for invoice \(unpaid) (deposit or prepayment) to be paid before dispatch",
                                 waits: true)
                }
                throw refuse(code, "finance has not cleared order \(command.orderRef) for dispatch yet", waits: true)
            }
            work.correlate(with: order.correlationId)
            let warehouse = order.warehouse ?? "-"
            for line in try store.lines(command.orderRef) {
                try store.move(warehouse, line.sku, "dispatch", onHand: -line.quantity, reserved: -line.quantity, orderRef: command.orderRef)
            }
            let id = UUID(), now = Date()
            try store.addShipment(id, order: command.orderRef, carrier: command.carrier, trackingNumber: command.trackingNumber, at: now)
            try store.setStatus(command.orderRef, next)
            let event = ShipmentDispatched(orderRef: command.orderRef, shipmentId: id, warehouse: warehouse, carrier: command.carrier,
                                           trackingNumber: command.trackingNumber, dispatchedAt: now)
            try work.publish(event)
            work.logger.info("dispatched", metadata: ["order_ref": "\(command.orderRef)", "warehouse": "\(warehouse)"])
            return event
        }
    }

    /// Returns the event, or nil when it was delivered already.
    @discardableResult
    static func deliver(_ command: DeliverShipment, _ work: UnitOfWork) throws -> ShipmentDelivered? {
        let store = WarehouseStore(tx: work.transaction)
        func refuse(_ code: ReasonCode, _ message: String, waits: Bool = false) -> Refusal {
            Refusal(code, message, waitsForState: waits, event: DeliveryRefused(orderRef: command.orderRef, reasonCode: code,
                                                                                 message: message, commandMessageId: work.cause.id))
        }
        guard let order = try store.lockOrder(command.orderRef) else {
            throw refuse(.unknownOrder, "logistics has no order \(command.orderRef)", waits: true)
        }
        switch order.status.on(.deliver) {
        case .alreadyDone:
            work.logger.info("already delivered", metadata: ["order_ref": "\(command.orderRef)"])
            return nil
        case .refused(let code):
            throw refuse(code, "order \(command.orderRef) has not been dispatched")
        case .moves(let next):
            guard let shipment = try store.shipmentId(command.orderRef) else {
                throw Poison(.databaseRejected, "order \(command.orderRef) is dispatched but has no shipment")
            }
            try store.sign(shipment, by: command.signedBy, at: command.signedTime, note: command.deliveryNote)
            try store.setStatus(command.orderRef, next)
            let event = ShipmentDelivered(orderRef: command.orderRef, shipmentId: shipment, signedBy: command.signedBy,
                                          signedAt: command.signedTime)
            work.correlate(with: order.correlationId)
            try work.publish(event)
            work.logger.info("delivered", metadata: ["order_ref": "\(command.orderRef)", "signed_by": "\(command.signedBy)"])
            return event
        }
    }

    /// `finance.deposit.requested`: the goods wait for this invoice.
    static func advanceRequested(_ event: DepositRequested, _ work: UnitOfWork) throws {
        try WarehouseStore(tx: work.transaction).expectAdvance(event.invoiceNumber, order: event.orderRef)
    }

    /// `finance.invoice.paid` of an advance: it no longer holds the goods back.
    static func invoicePaid(_ event: InvoicePaid, _ work: UnitOfWork) throws {
        guard event.kind.isAdvance else { return }
        try WarehouseStore(tx: work.transaction).advancePaid(event.invoiceNumber, order: event.orderRef)
    }

    /// `finance.order.cleared`: the goods may go.
    static func cleared(_ event: OrderCleared, _ work: UnitOfWork) throws {
        try WarehouseStore(tx: work.transaction).markCleared(event.orderRef, reason: event.reason)
    }

    /// `customer_service.return.authorised`: the warehouse expects the goods back.
    static func expectReturn(_ event: ReturnAuthorised, _ work: UnitOfWork) throws {
        try WarehouseStore(tx: work.transaction).expectReturn(event.returnId, case: event.caseId, order: event.orderRef, lines: event.lines)
    }

    /// The returned goods arrived and were inspected: back into stock, or into quarantine.
    static func receiveReturn(_ id: UUID, condition: String, inspectedBy: String, _ work: UnitOfWork) throws -> ReturnReceived {
        let store = WarehouseStore(tx: work.transaction)
        let name = id.uuidString.lowercased()
        guard let ret = try store.lockReturn(id) else { throw Refusal(.notFound, "no expected return \(name)") }
        guard !ret.received else { throw Refusal(.alreadyReceived, "return \(name) was received already") }
        guard let warehouse = ret.warehouse else { throw Refusal(.unknownOrder, "the order of return \(name) never reached a warehouse") }
        for line in ret.lines {
            if condition == "resellable" {
                try store.move(warehouse, line.sku, "return", onHand: line.quantity, orderRef: ret.order, reference: "return")
            } else {
                try store.move(warehouse, line.sku, "quarantine", quarantine: line.quantity, orderRef: ret.order, reference: "return")
            }
        }
        try store.markReturnReceived(id, condition: condition, inspectedBy: inspectedBy)
        let event = ReturnReceived(returnId: id, caseId: ret.caseId, orderRef: ret.order, lines: ret.lines, condition: condition)
        work.correlate(with: ret.correlationId)
        try work.publish(event)
        if condition == "resellable" { for line in ret.lines { try StockKeeping.fillBackorders(warehouse: warehouse, sku: line.sku, work) } }
        return event
    }
}
