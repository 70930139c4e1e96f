import Messaging
import ServiceKit
import Storage

enum FinanceService {
    static let id = "finance"

    static var spec: ServiceSpec {
        ServiceSpec(id: id, defaultPort: 8084, migrations: [], bindings: [], handlers: HandlerRegistry())
    }
}
