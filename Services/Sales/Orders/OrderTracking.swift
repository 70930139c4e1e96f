import Contracts
import Foundation
import Messaging
import SalesDomain
import Storage

/// Follows each order through the other departments' events: moves its status forward,
/// keeps every event in its history, and announces what customers care about.
enum OrderTracking {
    /// The order an event is about: the live one with that reference, else the newest.
    static func load(_ ref: String, _ tx: Transaction) throws -> TrackedOrder? { try OrderStore(tx: tx).lockTracked(ref) }

    /// Records what the work's cause did in the order's history, and moves the status when it
    /// advances it. Returns the order and whether the status changed.
    @discardableResult
    static func note(_ ref: String, _ work: UnitOfWork, to next: OrderStatus? = nil, detail: String,
                     reasonCode: ReasonCode? = nil) throws -> (TrackedOrder, Bool)? {
        let tx = work.transaction
        guard let order = try load(ref, tx) else {
            work.logger.warning("event for an order sales does not know", metadata: ["order_ref": "\(ref)"])
            return nil
        }
        var changed = false
        var status = order.status
        if let next, order.status.allows(next) {
            try OrderStore(tx: tx).setStatus(order.id, next, reason: reasonCode)
            status = next; changed = true
            // Nothing is left to follow up on a closed order.
            if next.isFinal { try FollowUpStore(tx: tx).resolveAll(ref) }
        } else if let next, next != order.status {
            work.logger.info("stale or late event leaves the status as it is",
                             metadata: ["order_ref": "\(ref)", "status": "\(order.status.rawValue)", "event_status": "\(next.rawValue)"])
        }
        try OrderStore(tx: tx).addHistory(order.id, status, event: work.cause.type, detail: detail, messageId: work.cause.uuid)
        return (order, changed)
    }

    /// Flags an exception of the order to its salesperson (once per kind while open) and puts it on the customer's timeline.
    static func flag(_ order: TrackedOrder, _ kind: ExceptionKind, _ detail: String, _ work: UnitOfWork) throws {
        let owner = try OrderStore(tx: work.transaction).owner(of: order.id)
        guard try FollowUpStore(tx: work.transaction).raise(order.ref, customer: order.customer, owner: owner, kind, detail) else { return }
        try CustomerFileStore(tx: work.transaction).note(order.customer, "exception", reference: order.ref, "order \(order.ref): \(detail)")
        work.logger.notice("order exception flagged", metadata: ["order_ref": "\(order.ref)", "kind": "\(kind.rawValue)", "owner": "\(owner ?? "-")"])
    }

    static func approved(_ event: CreditApproved, _ work: UnitOfWork) throws {
        let d = event.decision
        let by = d.decidedBy.map { ", released by \($0)" } ?? ""
        guard let (order, changed) = try note(d.orderRef, work, to: .accepted,
                                              detail: "credit approved: exposure \(d.exposure) of limit \(d.creditLimit)\(by)"),
              changed else { return }
        let acceptance = try OrderStore(tx: work.transaction).acceptance(order.id)
        try work.publish(OrderAccepted(orderId: order.id, orderRef: order.ref, customerCode: order.customer,
                                       currency: order.currency, lines: acceptance.lines, total: order.total,
                                       deliveryAddress: acceptance.address, requestedDeliveryDate: acceptance.requestedDeliveryDate,
                                       releasedBy: d.decidedBy, contractNo: acceptance.contractNo))
        try FollowUpStore(tx: work.transaction).resolve(order.ref, .creditHold)
        work.logger.info("order accepted", metadata: ["order_ref": "\(order.ref)"])
    }

    static func held(_ event: CreditHeld, _ work: UnitOfWork) throws {
        let d = event.decision
        guard let (order, changed) = try note(d.orderRef, work, to: .held, detail: "credit held: \(d.message ?? "")",
                                              reasonCode: d.reasonCode), changed else { return }
        try work.publish(OrderHeld(orderRef: order.ref, customerCode: order.customer, reasonCode: d.reasonCode ?? .creditReview,
                                      message: d.message ?? "held for credit review"))
        try flag(order, .creditHold, "held for credit review: \(d.message ?? "")", work)
    }

    static func rejected(_ event: CreditRejected, _ work: UnitOfWork) throws {
        let d = event.decision
        let code = d.reasonCode ?? .creditRejected
        guard let (order, changed) = try note(d.orderRef, work, to: .rejected, detail: "credit rejected: \(d.message ?? code.rawValue)",
                                              reasonCode: code), changed else { return }
        try work.publish(OrderRejected(orderRef: order.ref, customerCode: order.customer, reasonCode: code,
                                          message: d.message ?? "credit rejected"))
    }

    static func reserved(_ event: StockReserved, _ work: UnitOfWork) throws {
        let items = event.lines.map { "\($0.quantity) × \($0.sku)" }.joined(separator: ", ")
        try note(event.orderRef, work, to: .reserved, detail: "stock reserved in \(event.warehouse): \(items)")
    }

    static func backordered(_ event: StockBackordered, _ work: UnitOfWork) throws {
        let missing = event.missing.map { "\($0.quantity) × \($0.sku)" }.joined(separator: ", ")
        guard let (order, changed) = try note(event.orderRef, work, to: .backordered, detail: "backordered, missing \(missing)"),
              changed else { return }
        try work.publish(OrderBackordered(orderRef: order.ref, customerCode: order.customer, missing: event.missing))
    }

    static func dispatched(_ event: ShipmentDispatched, _ work: UnitOfWork) throws {
        try note(event.orderRef, work, to: .dispatched,
                 detail: "dispatched from \(event.warehouse)" + (event.carrier.map { " by \($0)" } ?? ""))
    }

    static func delivered(_ event: ShipmentDelivered, _ work: UnitOfWork) throws {
        guard let (order, _) = try note(event.orderRef, work, to: .delivered,
                                        detail: "delivered, signed by \(event.signedBy) at \(event.signedAt.formatted(.iso8601))") else { return }
        try FollowUpStore(tx: work.transaction).resolve(order.ref, .late)
        try completeIfDone(order.ref, work)
    }

    static func invoicePaid(_ event: InvoicePaid, _ work: UnitOfWork) throws {
        guard let (order, _) = try note(event.orderRef, work, detail: "invoice \(event.invoiceNumber) (\(event.kind)) paid"
                                        + (event.orderSettled ? "; order paid in full" : "")) else { return }
        guard event.orderSettled else { return }
        try OrderStore(tx: work.transaction).markPaid(order.id)
        try completeIfDone(order.ref, work)
    }

    static func completeIfDone(_ ref: String, _ work: UnitOfWork) throws {
        guard let order = try load(ref, work.transaction), OrderStatus.completes(status: order.status, paid: order.paid) else { return }
        try note(ref, work, to: .completed, detail: "delivered and paid")
        try work.publish(OrderCompleted(orderRef: ref, customerCode: order.customer, total: order.total, currency: order.currency))
        work.logger.info("order completed", metadata: ["order_ref": "\(ref)"])
    }

    /// Events that only add to the history.
    static func registerHistory(_ handlers: inout HandlerRegistry) {
        handlers.on(DepositRequested.self) { e, c in
            try note(e.orderRef, c, detail: "deposit \(e.amount) \(e.currency) requested, invoice \(e.invoiceNumber) due \(e.dueDate)")
        }
        handlers.on(InvoiceIssued.self) { e, c in
            try note(e.orderRef, c, detail: "\(e.kind) invoice \(e.invoiceNumber) for \(e.amount) \(e.currency), due \(e.dueDate)")
        }
        handlers.on(InvoiceOverdue.self) { e, c in
            try note(e.orderRef, c, detail: "invoice \(e.invoiceNumber) overdue \(e.daysOverdue) days, \(e.outstanding) outstanding")
        }
        handlers.on(CreditNoteIssued.self) { e, c in
            try note(e.orderRef, c, detail: "credit note \(e.creditNoteNumber) for \(e.amount) \(e.currency)")
        }
        handlers.on(PaymentReceived.self) { e, c in
            guard let ref = e.orderRef else { return }
            try note(ref, c, detail: "payment \(e.amount) \(e.currency) received (\(e.bankReference))"
                     + (e.unallocated > 0 ? ", \(e.unallocated) kept as credit" : ""))
        }
        handlers.on(CreditApplied.self) { e, c in
            try note(e.orderRef, c, detail: "customer credit \(e.amount) \(e.currency) applied to "
                     + e.allocations.map(\.invoiceNumber).joined(separator: ", "))
        }
        handlers.on(InvoiceVoided.self) { e, c in try note(e.orderRef, c, detail: "invoice \(e.invoiceNumber) voided") }
        handlers.on(ReturnAuthorised.self) { e, c in
            try note(e.orderRef, c, detail: "return authorised: " + e.lines.map { "\($0.quantity) × \($0.sku)" }.joined(separator: ", "))
        }
        handlers.on(ReturnReceived.self) { e, c in
            try note(e.orderRef, c, detail: "returned goods received (\(e.condition))")
        }
        handlers.on(RevisitScheduled.self) { e, c in try note(e.orderRef, c, detail: "revisit scheduled for \(e.dueOn)") }
        handlers.on(ComplaintEscalated.self) { e, c in
            try note(e.orderRef, c, detail: "complaint \(e.caseNumber) escalated: \(e.hoursLate) h past its deadline, with \(e.routedTo)")
        }
        handlers.on(DispatchRefused.self) { e, c in
            try note(e.orderRef, c, detail: "dispatch refused (\(e.reasonCode)): \(e.message)", reasonCode: e.reasonCode)
        }
        handlers.on(DeliveryRefused.self) { e, c in
            try note(e.orderRef, c, detail: "delivery refused (\(e.reasonCode)): \(e.message)", reasonCode: e.reasonCode)
        }
        handlers.on(ComplaintOpened.self) { e, c in
            guard let (order, _) = try note(e.orderRef, c, detail: "complaint \(e.caseNumber) (\(e.category)) opened, routed to \(e.routedTo)")
            else { return }
            try flag(order, .complaint, "complaint \(e.caseNumber) (\(e.category))", c)
        }
        handlers.on(ComplaintResolved.self) { e, c in
            try note(e.orderRef, c, detail: "complaint \(e.caseNumber) resolved: \(e.resolution)" + (e.note.map { " (\($0))" } ?? ""))
            try FollowUpStore(tx: c.transaction).resolve(e.orderRef, .complaint)
        }
    }

    enum CancelOutcome: Sendable {
        case cancelled(OrderCancelled), refused(OrderCancelRefused)
        /// Logistics must give the stock back first; the answer follows when it has.
        case requested(OrderCancelRequested)
        /// Asked already and still waiting for the warehouse.
        case pending(String)
    }

    /// `order.cancel`: allowed until dispatch; otherwise the sender hears why not. When the
    /// warehouse holds stock for the order, the answer comes once logistics released it.
    static func cancel(_ command: CancelOrder, _ work: UnitOfWork) throws {
        let reason = command.reason ?? "cancelled by \(work.cause.source)"
        switch try cancel(command.orderRef, reason: reason, work) {
        case .cancelled(let event): try work.reply(event)
        case .refused(let refusal): try work.reply(refusal)
        case .requested: break
        case .pending(let message): try work.replyUnchanged(.cancellationPending, message)
        }
    }

    /// Cancels the live order with that reference, asks logistics to release it first, or says
    /// why it cannot (also as an event).
    static func cancel(_ ref: String, reason: String, _ work: UnitOfWork) throws -> CancelOutcome {
        func refuse(_ code: ReasonCode, _ message: String) throws -> CancelOutcome {
            let refusal = OrderCancelRefused(orderRef: ref, reasonCode: code, message: message)
            try work.publish(refusal)
            work.logger.notice("cancel refused", metadata: ["order_ref": "\(ref)", "reason": "\(code)"])
            return .refused(refusal)
        }
        guard let order = try load(ref, work.transaction), order.status != .rejected else {
            return try refuse(.unknownOrder, "there is no live order \(ref)")
        }
        let cancelled = OrderCancelled(orderRef: order.ref, customerCode: order.customer, reason: reason)
        if order.status == .cancelled {
            work.logger.info("order already cancelled", metadata: ["order_ref": "\(order.ref)"])
            return .cancelled(cancelled)
        }
        if order.status == .cancelling {
            return .pending("order \(order.ref) is being cancelled already; the warehouse is releasing its stock")
        }
        if order.status.cancelNeedsWarehouse {
            try note(order.ref, work, to: .cancelling, detail: "cancellation asked: \(reason)")
            // Kept so the answer that comes once the warehouse released goes where this command's would.
            try OrderStore(tx: work.transaction).keepWaitingCancel(order.id, reason: reason, cause: work.cause)
            let request = OrderCancelRequested(orderRef: order.ref, customerCode: order.customer, reason: reason)
            try work.publish(request)
            work.logger.info("cancellation asked of logistics", metadata: ["order_ref": "\(order.ref)"])
            return .requested(request)
        }
        guard order.status.canCancel else {
            return try refuse(.tooLateToCancel, "order \(order.ref) is \(order.status.rawValue): it can be cancelled only until dispatch")
        }
        try finishCancel(order, reason: reason, work)
        return .cancelled(cancelled)
    }

    static func finishCancel(_ order: TrackedOrder, reason: String, _ work: UnitOfWork) throws {
        try note(order.ref, work, to: .cancelled, detail: "cancelled: \(reason)", reasonCode: .cancelled)
        try work.publish(OrderCancelled(orderRef: order.ref, customerCode: order.customer, reason: reason))
        work.logger.info("order cancelled", metadata: ["order_ref": "\(order.ref)"])
    }

    /// Logistics gave the stock back: the cancellation completes (and its sender hears so).
    static func released(_ event: StockReleased, _ work: UnitOfWork) throws {
        let tx = work.transaction
        guard let order = try load(event.orderRef, tx), order.status == .cancelling else {
            try note(event.orderRef, work, detail: "reservation released in \(event.warehouse)")
            return
        }
        let asked = try waitingCancel(order, tx)
        let reason = asked?.reason ?? "cancelled"
        try clearWaitingCancel(order, tx)
        try finishCancel(order, reason: reason, work)
        if let asked { try work.reply(OrderCancelled(orderRef: order.ref, customerCode: order.customer, reason: reason), to: asked.cause) }
    }

    /// The goods left first: the order goes on, and whoever asked hears it was too late.
    static func cancellationRefused(_ event: CancellationRefused, _ work: UnitOfWork) throws {
        let next = OrderStatus(rawValue: event.status) ?? .dispatched
        // The dispatch event may have come first and moved the status already; the refusal is still owed.
        let tx = work.transaction
        guard let (order, _) = try note(event.orderRef, work, to: next, detail: "cancellation refused: \(event.message)"),
              let asked = try waitingCancel(order, tx) else { return }
        try clearWaitingCancel(order, tx)
        let refusal = OrderCancelRefused(orderRef: order.ref, reasonCode: .tooLateToCancel, message: event.message)
        try work.publish(refusal)
        try work.reply(refusal, to: asked.cause)
    }

    private static func clearWaitingCancel(_ order: TrackedOrder, _ tx: Transaction) throws {
        try OrderStore(tx: tx).clearWaitingCancel(order.id)
    }

    private static func waitingCancel(_ order: TrackedOrder, _ tx: Transaction) throws -> (reason: String, cause: Cause)? {
        try OrderStore(tx: tx).waitingCancel(order.id)
    }
}
