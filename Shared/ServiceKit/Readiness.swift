import ServiceLifecycle
import Synchronization

/// What `/health/ready` knows beyond the database and the broker: whether the service is
/// draining (a graceful shutdown began), so load balancers stop sending it work at once.
public final class Readiness: Sendable {
    private let draining = Mutex(false)

    public init() {}

    public var isDraining: Bool { draining.withLock { $0 } }
    func startDraining() { draining.withLock { $0 = true } }
}

/// Last in the service group, so the first to hear of a graceful shutdown: marks the service
/// draining and returns, and the group goes on to stop the others in reverse order.
final class DrainWatch: Service, Sendable {
    let readiness: Readiness
    init(_ readiness: Readiness) { self.readiness = readiness }

    func run() async throws {
        try? await gracefulShutdown()
        readiness.startDraining()
    }
}
