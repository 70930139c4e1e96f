import Contracts
import Messaging
import ServiceKit

public enum Logistics {
    public static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(ContractDrafted.self, LogisticsContracts.drafted)
        handlers.on(ContractSigned.self, LogisticsContracts.signed)
        handlers.on(OrderAccepted.self, StockKeeping.reserve)
        handlers.on(OrderCancelRequested.self, StockKeeping.release)
        handlers.on(DispatchShipment.self) { command, work in
            if let event = try Shipping.dispatch(command, work) { try work.reply(event) } else {
                try work.replyUnchanged(.alreadyDispatched, "order \(command.orderRef) was dispatched already")
            }
        }
        handlers.on(DeliverShipment.self) { command, work in
            if let event = try Shipping.deliver(command, work) { try work.reply(event) } else {
                try work.replyUnchanged(.alreadyDelivered, "order \(command.orderRef) was delivered already")
            }
        }
        handlers.on(ReturnAuthorised.self, Shipping.expectReturn)
        handlers.on(DepositRequested.self, Shipping.advanceRequested)
        handlers.on(OrderCleared.self, Shipping.cleared)
        handlers.on(InvoicePaid.self, Shipping.invoicePaid)
        return ServiceSpec(id: "logistics", defaultPort: 8082, migrations: LogisticsMigrations.all, handlers: handlers,
                           routes: LogisticsAPI.add,
                           approvals: LogisticsApprovals.book)
    }
}
