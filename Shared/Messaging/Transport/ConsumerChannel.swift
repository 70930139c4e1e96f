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
