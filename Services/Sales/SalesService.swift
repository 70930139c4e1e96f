import Contracts
import Foundation
import Hummingbird
import Messaging
import SalesDomain
import ServiceKit
import Storage

enum SalesService {
    static let id = "sales"

    static var spec: ServiceSpec {
        var handlers = HandlerRegistry()
        handlers.on(PlaceOrder.self, OrderIntake.place)
        return ServiceSpec(id: id, defaultPort: 8081, migrations: SalesMigrations.all,
                           bindings: [.command(PlaceOrder.routingKey)], handlers: handlers, routes: SalesAPI.add)
    }
}
