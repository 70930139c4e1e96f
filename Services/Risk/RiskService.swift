import Messaging
import ServiceKit
import Storage

enum RiskService {
    static let id = "risk"

    static var spec: ServiceSpec {
        ServiceSpec(id: id, defaultPort: 8085, migrations: [], bindings: [], handlers: HandlerRegistry())
    }
}
