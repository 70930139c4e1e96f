import Contracts
import Messaging
import ServiceKit

/// Shipping (发货): an order's goods leave once it is cleared (and any advance is paid), are
/// delivered, and come back as returns a complaint authorised.
struct ShippingCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
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
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) {
        OrderRoutes(env: env).add(to: routes)
        ReturnRoutes(env: env).add(to: routes)
    }
}
