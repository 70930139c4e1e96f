import Contracts
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// Reads `bizops.unrouted` (where the topic exchanges put what no queue is bound for).
/// A command on `bizops.ingress` that nobody handles is dead-lettered to
/// `bizops.unrouted.dead` with reason `unknown-routing-key` (and its sender, when it gave a
/// `reply_to`, is told so); an event nobody listens to is normal and only counted.
public final class UnroutedSweeper: Service, Sendable {
    public static let deadQueue = Topology.unroutedDead
    private let client: AMQPClient
    private let publisher: ConfirmedPublisher
    private let owner: String
    private let logger: Logger
    private let deadCounter = Counter(label: "bizops_unrouted_commands_total")
    private let eventCounter = Counter(label: "bizops_unrouted_events_total")

    public init(config: AMQPConfig, owner: String, logger: Logger) {
        self.client = AMQPClient(config: config, name: "\(owner) unrouted sweeper")
        self.publisher = ConfirmedPublisher(config: config, name: "\(owner) unrouted sweeper publisher", logger: logger)
        self.owner = owner; self.logger = logger
    }

    public func run() async throws {
        var backoff = Backoff(initial: 0.5, maximum: 10)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await client.startConsuming(Topology.unrouted, prefetch: 100)
                backoff.reset()
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let batch = try await client.receive(max: 100, wait: 0.5)
                    guard !batch.isEmpty else { continue }
                    try await sweep(batch)
                }
            } catch {
                logger.warning("unrouted sweeper lost the broker, reconnecting", metadata: ["error": "\(error)"])
                await client.close()
                await backoff.wait()
            }
        }
        await client.close()
        await publisher.close()
    }

    func sweep(_ batch: [Delivery]) async throws {
        var dead: [OutgoingMessage] = [], answers: [OutgoingMessage] = []
        for delivery in batch {
            guard delivery.exchange != Topology.events else { eventCounter.increment(); continue }
            // As the sweeper's own message: a sender's user_id would make the broker refuse it.
            var properties = delivery.forwardedProperties(type: delivery.properties.type ?? "\(delivery.routingKey).v1")
            let why = "no service handles routing key \"\(delivery.routingKey)\" on \(delivery.exchange)"
            properties.headers["x-dead-letter-reason"] = .string("unknown-routing-key")
            properties.headers["x-dead-letter-error"] = .string(why)
            properties.headers["x-dead-lettered-by"] = .string(owner)
            properties.headers["x-dead-lettered-at"] = .string(Date().formatted(.iso8601))
            dead.append(OutgoingMessage(exchange: Topology.internalRoutes, routingKey: Topology.unroutedDead, properties: properties,
                                        body: delivery.body))
            if let answer = OutgoingMessage.rejection(of: delivery, code: .unknownRoutingKey, message: why, from: owner) {
                answers.append(answer)
            }
            logger.warning("dead-lettering a command nobody handles", metadata: [
                "routing_key": "\(delivery.routingKey)", "message_id": "\(delivery.properties.messageId ?? "-")",
                "app_id": "\(delivery.properties.appId ?? "-")"])
        }
        // Dead letters are stored before the originals are acknowledged: nothing is lost.
        if !dead.isEmpty { try await publisher.publishAll(dead) }
        deadCounter.increment(by: Int64(dead.count))
        try await client.ack(batch)
        // Best effort, like every answer to a refused command: the dead letter is what must not be lost.
        if !answers.isEmpty { _ = try? await publisher.publish(answers) }
    }
}
