import Foundation
import Logging
import Messaging
import Synchronization

/// The outside systems on the bus, each logged in as its own broker user (deploy/outside-systems.txt):
/// a confirmed publisher each, and resilient readers of their reply queues and of the run's
/// observer queue on `bizops.events` (provisioned by the admin, read by the web shop, as an
/// operator provisions an integrator's queue).
final class Bus: Sendable {
    static let systems = ["webshop", "warehouse", "driver-app", "bank-feed"]
    static let password = "bizops-dev"
    static let host = "127.0.0.1:5672/bizops"

    /// The events the driver follows an order by.
    static let followed = ["sales.order.accepted", "sales.order.rejected", "sales.order.held", "sales.order.cancelled",
                           "logistics.stock.reserved", "logistics.stock.backordered", "finance.order.cleared",
                           "logistics.shipment.dispatched", "logistics.shipment.delivered", "finance.invoice.issued",
                           "finance.payment.received", "finance.credit_note.issued", "sales.order.completed"]

    let observer: String
    private let publishers: [String: ConfirmedPublisher]
    private let reconnectCount = Atomic<Int>(0)
    let logger: Logger

    init(run: String) throws {
        var logger = Logger(label: "load-driver")
        logger.logLevel = .critical
        self.logger = logger
        observer = "webshop.load-\(run)"
        var publishers: [String: ConfirmedPublisher] = [:]
        for system in Self.systems {
            publishers[system] = ConfirmedPublisher(config: try Self.config(system), name: "load-driver \(system)", confirmTimeout: 10, logger: logger)
        }
        self.publishers = publishers
    }

    static func config(_ user: String) throws -> AMQPConfig {
        try AMQPConfig.parse("amqp://\(user):\(user == "bizops" ? "bizops-dev" : password)@\(host)")
    }

    var reconnects: Int { reconnectCount.load(ordering: .relaxed) }

    /// As the admin: the observer queue, and empty reply queues (answers a previous run left).
    func provision() async throws {
        let admin = AMQPClient(config: try Self.config("bizops"), name: "load-driver admin")
        defer { Task { await admin.close() } }
        // Gone ten minutes after its reader, should the driver itself be killed.
        try await admin.declareDurableQueue(observer, bindings: Self.followed.map { .event($0) }, expiresAfter: .seconds(600))
        for system in Self.systems { try await admin.purge("\(system).replies") }
    }

    static func removeObserver(run: String) async {
        let admin = try? AMQPClient(config: Self.config("bizops"), name: "load-driver admin")
        try? await admin?.deleteQueue("webshop.load-\(run)")
        await admin?.close()
    }

    /// Publishes with confirms; true when the broker took every message.
    func publish(_ system: String, _ messages: [OutgoingMessage]) async -> [PublishOutcome]? {
        guard let publisher = publishers[system] else { return nil }
        do { return try await publisher.publish(messages) } catch {
            reconnectCount.add(1, ordering: .relaxed)
            return nil
        }
    }

    /// Reads `queue` as `user` until cancelled, connecting again after the broker went away;
    /// `handle` sees every batch before it is acknowledged (a redelivery after a lost ack is
    /// seen twice: the handlers are idempotent).
    func read(_ queue: String, as user: String, handle: @escaping @Sendable ([Delivery]) async -> Void) -> Task<Void, Never> {
        return Task { [self] in
            guard let config = try? Self.config(user) else { return }
            let client = AMQPClient(config: config, name: "load-driver \(user) reader")
            while !Task.isCancelled {
                do {
                    try await client.startConsuming(queue, prefetch: 2000)
                    while !Task.isCancelled {
                        let batch = try await client.receive(max: 1000, wait: 0.05)
                        if batch.isEmpty { continue }
                        await handle(batch)
                        try await client.ack(batch)
                    }
                } catch {
                    reconnectCount.add(1, ordering: .relaxed)
                    await client.close()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await client.close()
        }
    }

    func close() async { for p in publishers.values { await p.close() } }
}
