import Contracts
import Messaging
import ServiceKit

enum LogisticsService {
    static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(OrderAccepted.self, StockKeeping.reserve)
        handlers.on(OrderCancelRequested.self, StockKeeping.release)
        handlers.on(DispatchShipment.self) { command, context in
            if let event = try Shipping.dispatch(command, context.work) { try context.reply(event) } else {
                try context.replyUnchanged("already-dispatched", "order \(command.orderRef) was dispatched already")
            }
        }
        handlers.on(DeliverShipment.self) { command, context in
            if let event = try Shipping.deliver(command, context.work) { try context.reply(event) } else {
                try context.replyUnchanged("already-delivered", "order \(command.orderRef) was delivered already")
            }
        }
        handlers.on(ReturnAuthorised.self, Shipping.expectReturn)
        handlers.on(DepositRequested.self, Shipping.advanceRequested)
        handlers.on(OrderCleared.self, Shipping.cleared)
        handlers.on(InvoicePaid.self) { event, context in
            guard event.kind != "final" else { return }
            try Shipping.advanceSettled(event.invoiceNumber, event.orderRef, context)
        }
        return ServiceSpec(id: "logistics", defaultPort: 8082, migrations: LogisticsMigrations.all,
                           bindings: handlers.bindings, handlers: handlers, routes: LogisticsAPI.add)
    }
}
