import Messaging
import ServiceKit
import Storage

enum LogisticsService {
    static let id = "logistics"

    static var spec: ServiceSpec {
        ServiceSpec(id: id, defaultPort: 8082, migrations: [], bindings: [], handlers: HandlerRegistry())
    }
}
