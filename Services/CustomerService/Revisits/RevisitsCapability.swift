import Contracts
import Messaging
import ServiceKit

/// Revisits (回访): every delivery gets a call back a week later, done and noted by a person.
struct RevisitsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) { handlers.on(ShipmentDelivered.self, Revisits.delivered) }
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { RevisitRoutes(env: env).add(to: routes) }
}
