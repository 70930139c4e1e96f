import Contracts
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// Orders (订单): taken from the web shop, an outside system or a salesperson, priced, followed
/// through credit, stock, shipping and payment, cancelled; each with its whole history.
struct OrdersCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(PlaceOrder.self, OrderIntake.place)
        handlers.on(PlaceOrderV2.self, OrderIntake.place)
        handlers.on(CancelOrder.self, OrderTracking.cancel)
        handlers.on(CreditApproved.self, OrderTracking.approved)
        handlers.on(CreditHeld.self, OrderTracking.held)
        handlers.on(CreditRejected.self, OrderTracking.rejected)
        handlers.on(StockReserved.self, OrderTracking.reserved)
        handlers.on(StockBackordered.self, OrderTracking.backordered)
        handlers.on(ShipmentDispatched.self, OrderTracking.dispatched)
        handlers.on(ShipmentDelivered.self, OrderTracking.delivered)
        handlers.on(InvoicePaid.self, OrderTracking.invoicePaid)
        handlers.on(StockReleased.self, OrderTracking.released)
        handlers.on(CancellationRefused.self, OrderTracking.cancellationRefused)
        OrderTracking.registerHistory(&handlers)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { OrderRoutes(env: env).add(to: routes) }

    /// A discounted order, once decided: placed as asked, or rejected and its sender told.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(SalesApprovals.discount, approved: { request, _, work in
            let asked = try request.decode(SalesApprovals.Discounted.self)
            // A salesperson's own entry (no sender to answer) stays theirs; the approver only authorised it.
            try OrderIntake.place(asked.order, typedPricesAuthorised: true, answering: asked.answer,
                                  enteredBy: asked.answer == nil ? request.requestedBy : nil, work)
        }, rejected: { request, decision, work in
            let asked = try request.decode(SalesApprovals.Discounted.self)
            try OrderIntake.rejectDiscount(asked.order, reason: decision.reason ?? "rejected", answering: asked.answer, work)
        })]
    }

    /// Orders by status, and those stuck in a step (not moved for an hour, final ones never):
    /// every status is reported, 0 included, so an alert on a stuck step also clears.
    var gauges: BusinessGauges? {
        { tx in
            let counts = try OrderReads(tx: tx).orderCounts(stuckAfter: 3600)
            return OrderStatus.allCases.flatMap { status -> [GaugeReading] in
                let row = counts.first { $0.status == status.rawValue }
                return [GaugeReading("bizops_orders", [("status", status.rawValue)], row?.orders ?? 0),
                        GaugeReading("bizops_orders_stuck", [("status", status.rawValue)], status.isFinal ? 0 : row?.stuck ?? 0)]
            }
        }
    }
}
