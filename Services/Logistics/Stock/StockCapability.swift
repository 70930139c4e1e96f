import Contracts
import Messaging
import ServiceKit

/// Stock (库存): the warehouses, what each holds and its ledger, receipts, reservations for
/// accepted orders (backorders filled as stock comes in) and their release.
struct StockCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(OrderAccepted.self, StockKeeping.reserve)
        handlers.on(OrderCancelRequested.self, StockKeeping.release)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) {
        StockRoutes(env: env).add(to: routes)
        WarehouseRoutes(env: env).add(to: routes)
    }

    /// Goods booked in without a purchase order, once approved: the receipt is booked.
    var approvalOutcomes: [ApprovalOutcome] {
        [ApprovalOutcome(LogisticsApprovals.unreferencedReceipt, approved: { request, _, work in
            let receipt = try request.decode(LogisticsApprovals.Receipt.self)
            _ = try StockKeeping.receive(warehouse: receipt.warehouse, sku: receipt.sku, quantity: receipt.quantity,
                                         reference: receipt.reference, work)
        })]
    }
}
