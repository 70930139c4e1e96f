import Contracts
import Messaging
import ServiceKit

enum FinanceService {
    static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(OrderAccepted.self, Billing.accepted)
        handlers.on(OrderCancelled.self, Billing.cancelled)
        handlers.on(ShipmentDelivered.self, Billing.delivered)
        handlers.on(ReturnReceived.self, Billing.returnReceived)
        handlers.on(RecordPayment.self) { payment, context in try Billing.record(payment, context.work) }
        return ServiceSpec(id: "finance", defaultPort: 8084, migrations: FinanceMigrations.all,
                           bindings: handlers.bindings, handlers: handlers, routes: FinanceAPI.add)
    }
}
