import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage
import Tracing

enum HealthRoutes {
    struct Live: ResponseEncodable, Sendable { let status: String }
    struct Ready: ResponseEncodable, Sendable {
        let status: String, database: Bool, broker: Bool, blocked: Bool, draining: Bool
    }

    static func add(to router: Router<ServiceRequestContext>, pool: PostgresPool, channel: ConsumerChannel,
                    publisher: ConfirmedPublisher, readiness: Readiness, registry: PrometheusCollectorRegistry) {
        router.get("/health/live") { _, _ in Live(status: "live") }
        router.get("/health/ready") { request, context -> Response in
            let draining = readiness.isDraining
            let database = await pool.ping()
            let broker = await channel.isConnected
            // Blocked by a broker alarm, the outbox cannot publish: events and answers wait.
            let blocked = publisher.isBlocked
            let ready = database && broker && !draining && !blocked
            var response = try Ready(status: draining ? "draining" : ready ? "ready" : "not ready", database: database, broker: broker,
                                     blocked: blocked, draining: draining).response(from: request, context: context)
            response.status = ready ? .ok : .serviceUnavailable
            return response
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
