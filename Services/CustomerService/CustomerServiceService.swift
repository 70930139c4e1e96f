import Messaging
import ServiceKit
import Storage

enum CustomerServiceService {
    static let id = "customer_service"

    static var spec: ServiceSpec {
        ServiceSpec(id: id, defaultPort: 8083, migrations: [], bindings: [], handlers: HandlerRegistry())
    }
}
