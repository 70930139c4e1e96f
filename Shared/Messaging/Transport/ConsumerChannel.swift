import Foundation
import Logging
import Storage
import Synchronization

/// The consuming side of a service: its own connection, which declares the topology,
/// sets the prefetch and consumes the service's queue. It reconnects when asked for the
/// next batch after a failure; deliveries of a lost connection are redelivered by the broker.
public final class ConsumerChannel: Sendable {
    private final class State {
        var connection: AMQPConnection?
        var generation = 0
        /// Tags received on the current connection and not yet acked or requeued.
        var unsettled = Set<UInt64>()
    }
    private let slot: Confined<State>
    public let config: AMQPConfig
    public let topology: Topology
    public let prefetch: UInt16
    private let logger: Logger

    /// Whether it declares its topology itself (a user with configure rights: the tests' probe,
    /// a developer's admin) or only checks that an operator provisioned it (every service's own user).
    private let provision: Bool

    public init(config: AMQPConfig, topology: Topology, prefetch: UInt16 = 200, provision: Bool = false, logger: Logger) {
        self.config = config; self.topology = topology; self.prefetch = prefetch; self.provision = provision; self.logger = logger
        self.slot = Confined(State(), name: "amqp-consumer-\(topology.service)")
    }

    /// Connects (if needed) and checks (or declares) the topology; the start-up check.
    public func connect() async throws {
        let config = self.config, topology = self.topology, prefetch = self.prefetch, provision = self.provision, logger = self.logger
        try await slot.run { state in
            _ = try Self.ensure(&state, config, topology, prefetch, provision, logger)
        }
    }

    public var isConnected: Bool {
        get async { (try? await slot.run { state in state.connection.map { !$0.broken } ?? false }) ?? false }
    }

    /// One batch: waits up to `wait` seconds for a first delivery, then takes what has arrived.
    public func receive(max: Int, wait: Double) async throws -> [Delivery] {
        let config = self.config, topology = self.topology, prefetch = self.prefetch, provision = self.provision, logger = self.logger
        return try await slot.run { state in
            let conn = try Self.ensure(&state, config, topology, prefetch, provision, logger)
            do {
                let batch = try conn.receive(max: max, wait: wait, generation: state.generation)
                state.unsettled.formUnion(batch.map(\.deliveryTag))
                return batch
            } catch {
                Self.drop(&state)
                throw error
            }
        }
    }

    /// Acknowledges deliveries of the current connection; those of a lost one are skipped,
    /// since the broker redelivers them anyway.
    public func ack(_ deliveries: [Delivery]) async throws {
        try await settle(deliveries) { conn, tags, multipleUpTo in
            if let last = multipleUpTo { try conn.ack(last, multiple: true) } else { for tag in tags { try conn.ack(tag, multiple: false) } }
        }
    }

    /// Hands deliveries back to the queue (e.g. when they could not be retried or dead-lettered).
    public func requeue(_ deliveries: [Delivery]) async throws {
        try await settle(deliveries) { conn, tags, _ in for tag in tags { try conn.nack(tag, requeue: true) } }
    }

    private func settle(_ deliveries: [Delivery],
                        _ action: @escaping @Sendable (AMQPConnection, [UInt64], UInt64?) throws -> Void) async throws {
        guard !deliveries.isEmpty else { return }
        _ = try await slot.run { state in
            guard let conn = state.connection, !conn.broken else { return }
            let tags = deliveries.filter { $0.generation == state.generation }.map(\.deliveryTag).sorted()
            guard !tags.isEmpty else { return }
            let limit = Self.multipleLimit(tags, unsettled: state.unsettled)
            state.unsettled.subtract(tags)
            do { try action(conn, tags, limit) } catch {
                Self.drop(&state)
                throw error
            }
        }
    }

    public func close() async {
        _ = try? await slot.run { state in Self.drop(&state) }
    }

    /// The tag for one multiple-ack covering exactly `tags`, or nil when a multiple-ack would
    /// also settle a delivery that is still open (then each tag is acked alone).
    static func multipleLimit(_ tags: [UInt64], unsettled: Set<UInt64>) -> UInt64? {
        guard let last = tags.max(), tags.count > 1 else { return nil }
        let covered = unsettled.filter { $0 <= last }
        return covered.isSubset(of: Set(tags)) ? last : nil
    }

    private static func drop(_ state: inout State) {
        state.connection?.close()
        state.connection = nil
        state.unsettled.removeAll()
    }

    @discardableResult
    private static func ensure(_ state: inout State, _ config: AMQPConfig, _ topology: Topology,
                               _ prefetch: UInt16, _ provision: Bool, _ logger: Logger) throws -> AMQPConnection {
        if let existing = state.connection, !existing.broken { return existing }
        drop(&state)
        let fresh = try AMQPConnection(config, name: "\(topology.service) consumer")
        do {
            if provision { try topology.declare(on: fresh) } else { try topology.verify(on: fresh) }
            try fresh.consume(queue: topology.queue, prefetch: prefetch)
        } catch {
            fresh.close()
            throw error
        }
        state.generation += 1
        state.connection = fresh
        logger.info("consuming", metadata: ["queue": "\(topology.queue)", "broker": "\(config.redacted)", "prefetch": "\(prefetch)"])
        return fresh
    }
}

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
