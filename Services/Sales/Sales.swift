import Contracts
import Foundation
import Messaging
import SalesDomain
import ServiceKit
import Storage

public enum Sales {
    /// Sales' authority limits and approvals.
    public static var approvals: ApprovalBook { SalesApprovals.book }

    /// Quotes past their validity expire (hourly, so a restart never skips a day): as of today.
    static let quoteExpiry = PeriodicJob("quote-expiry", every: .seconds(3600)) { env in
        _ = try await env.command { work in try Quoting.expire(asOf: BusinessDate(Date()), work) }
    }

    /// Late orders flagged, open exceptions escalated, quiet customers a stage back: every 5 minutes.
    static let followUp = PeriodicJob("follow-up", every: .seconds(300)) { env in
        _ = try await env.command { work in try FollowUpDesk.run(asOf: Date(), work) }
    }

    public static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
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
        handlers.on(FinanceContractReviewed.self, ContractDesk.reviewed)
        handlers.on(LogisticsContractReviewed.self, ContractDesk.reviewed)
        handlers.on(RiskContractReviewed.self, ContractDesk.reviewed)
        OrderTracking.registerHistory(&handlers)
        var spec = ServiceSpec(id: "sales", defaultPort: 8081, migrations: SalesMigrations.all, handlers: handlers,
                               routes: SalesAPI.add,
                               busDuties: [.sweepUnrouted], jobs: [quoteExpiry, followUp], approvals: approvals)
        spec.gauges = orderGauges
        return spec
    }

    /// Orders by status, and those stuck in a step (not moved for an hour, final ones never):
    /// every status is reported, 0 included, so an alert on a stuck step also clears.
    @Sendable static func orderGauges(_ tx: Transaction) throws -> [GaugeReading] {
        let counts = try SalesReads(tx: tx).orderCounts(stuckAfter: 3600)
        return OrderStatus.allCases.flatMap { status -> [GaugeReading] in
            let row = counts.first { $0.status == status.rawValue }
            return [GaugeReading("bizops_orders", [("status", status.rawValue)], row?.orders ?? 0),
                    GaugeReading("bizops_orders_stuck", [("status", status.rawValue)], status.isFinal ? 0 : row?.stuck ?? 0)]
        }
    }
}
