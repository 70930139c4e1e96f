import Foundation
import Logging
import Storage
import Synchronization

/// A plain connection for tools and tests: declare, publish without the outbox, read a queue.
/// It reconnects when used after a failure, but what it delivered belongs to the connection
/// that delivered it: settling deliveries of a lost connection throws (the broker has put
/// them back), never acks a stranger that happens to carry the same tag on the new one.
public final class AMQPClient: Sendable {
    private final class State {
        var connection: AMQPConnection?
        var generation = 0
    }
    /// Numbers every client's connections across the process, so one client's deliveries are
    /// never taken for another's.
    private static let generations = Atomic<Int>(0)
    private let slot: Confined<State>
    public let config: AMQPConfig
    public let name: String

    public init(config: AMQPConfig, name: String = "bizops client") {
        self.config = config
        self.name = name
        self.slot = Confined(State(), name: "amqp-client")
    }

    private func with<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection, Int) throws -> T) async throws -> T {
        let config = self.config, name = self.name
        return try await slot.run { state in
            if state.connection == nil || state.connection!.broken {
                state.connection?.close()
                state.connection = try AMQPConnection(config, name: name)
                state.generation = Self.generations.add(1, ordering: .relaxed).newValue
            }
            do { return try body(state.connection!, state.generation) } catch {
                state.connection?.close(); state.connection = nil
                throw error
            }
        }
    }

    private func with<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        try await with { conn, _ in try body(conn) }
    }

    /// Runs `body` on the connection that delivered `deliveries`, or throws when that one is gone.
    private func onDelivering<T: Sendable>(_ deliveries: [DeliveryHandle], _ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        let generations = Set(deliveries.map(\.generation))
        return try await slot.run { state in
            guard let conn = state.connection, !conn.broken, generations.isSubset(of: [state.generation]) else {
                throw AMQPError(.connection, "the connection that received these messages was lost; the broker has put them back in their queue")
            }
            do { return try body(conn) } catch {
                state.connection?.close(); state.connection = nil
                throw error
            }
        }
    }

    public func declare(_ topology: Topology) async throws { try await with { try topology.declare(on: $0) } }
    public func declareSharedExchanges() async throws { try await with { try Topology.declareShared(on: $0) } }
    /// Provisions an outside system's reply queue (`<system>.replies`).
    public func declareReplyQueue(of system: String) async throws { try await with { try Topology.declareReplyQueue(of: system, on: $0) } }
    public func declareTemporaryQueue(bindings: [Topology.Binding]) async throws -> String {
        try await with { conn in
            let name = try conn.declareTemporaryQueue()
            for b in bindings { try conn.bindQueue(name, exchange: b.exchange, routingKey: b.routingKey) }
            return name
        }
    }
    /// A durable queue that survives a broker restart (for observers and tests); with
    /// `expiresAfter`, the broker deletes it once unused that long (its reader is gone for good).
    public func declareDurableQueue(_ name: String, bindings: [Topology.Binding], expiresAfter: Duration? = nil) async throws {
        var arguments: [(String, HeaderValue)] = [("x-queue-type", .string("quorum"))]
        if let expiresAfter { arguments.append(("x-expires", .int(expiresAfter.components.seconds * 1000))) }
        try await with { [arguments] conn in
            try conn.declareQueue(name, arguments: arguments)
            for b in bindings { try conn.bindQueue(name, exchange: b.exchange, routingKey: b.routingKey) }
        }
    }
    public func deleteQueue(_ name: String) async throws { try await with { try $0.deleteQueue(name) } }
    public func messageCount(_ queue: String) async throws -> Int { try await with { try $0.messageCount(queue) } }
    public func purge(_ queue: String) async throws { try await with { try $0.purge(queue) } }
    /// Publishes without confirms (as an outside system might).
    public func send(_ message: OutgoingMessage) async throws { _ = try await with { try $0.publish(message) } }
    public func startConsuming(_ queue: String, prefetch: UInt16 = 500) async throws {
        try await with { try $0.consume(queue: queue, prefetch: prefetch) }
    }
    /// Stops consuming; what was delivered stays held (unacknowledged) until settled or closed.
    /// Deliveries already on their way are still returned by `receive`.
    public func stopConsuming() async throws { try await with { try $0.cancelConsumer() } }
    public func receive(max: Int, wait: Double) async throws -> [Delivery] {
        try await with { conn, generation in try conn.receive(max: max, wait: wait, generation: generation) }
    }
    public func ack(_ deliveries: [Delivery]) async throws {
        guard let last = deliveries.map(\.deliveryTag).max() else { return }
        try await onDelivering(deliveries.map(\.handle)) { try $0.ack(last, multiple: true) }
    }
    /// Acknowledges each delivery alone (`ack` also takes every earlier one), and returns only
    /// once the broker has taken them: a lost connection throws, never passes as done.
    public func ackEach(_ deliveries: [Delivery]) async throws { try await ackEach(deliveries.map(\.handle)) }
    public func ackEach(_ deliveries: [DeliveryHandle]) async throws {
        guard !deliveries.isEmpty else { return }
        try await onDelivering(deliveries) { conn in
            for d in deliveries { try conn.ack(d.deliveryTag, multiple: false) }
            try conn.roundTrip()
        }
    }
    /// Puts deliveries back in their queue, unchanged. When the connection that held them is
    /// gone, the broker has done so already, and this has nothing left to do.
    public func requeue(_ deliveries: [DeliveryHandle]) async throws {
        guard !deliveries.isEmpty else { return }
        do {
            try await onDelivering(deliveries) { conn in
                for d in deliveries { try conn.nack(d.deliveryTag, requeue: true) }
                try conn.roundTrip()
            }
        } catch is AMQPError {
            return  // any AMQP error ends the connection, which puts back every delivery it held
        }
    }
    /// Keeps the connection that holds `deliveries` alive while its owner waits (a person at a
    /// prompt, a rate limit): one round trip, which also sends and checks heartbeats. Throws
    /// when that connection is gone.
    public func keepAlive(holding deliveries: [DeliveryHandle]) async throws {
        try await onDelivering(deliveries) { try $0.roundTrip() }
    }
    /// The heartbeat agreed with the broker on the current connection (seconds; 0: none).
    public func heartbeat() async throws -> Int { try await slot.run { $0.connection?.heartbeat ?? 0 } }
    public func close() async { _ = try? await slot.run { $0.connection?.close(); $0.connection = nil } }
}
