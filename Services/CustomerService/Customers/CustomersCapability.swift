import Contracts
import Messaging
import ServiceKit

/// The customer as the desk sees it: sales' file (whom it speaks to), purchases, cases and revisits.
struct CustomersCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(CustomerChanged.self, CustomerRecords.customerChanged)
        handlers.on(OrderAccepted.self, CustomerRecords.orderAccepted)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { CustomerRoutes(env: env).add(to: routes) }
}
