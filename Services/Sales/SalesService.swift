import Messaging
import ServiceKit
import Storage

enum SalesService {
    static let id = "sales"

    static var spec: ServiceSpec {
        ServiceSpec(id: id, defaultPort: 8081, migrations: [], bindings: [], handlers: HandlerRegistry())
    }
}
