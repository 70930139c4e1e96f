import Foundation
import Logging
import Storage
import Synchronization

/// Publishes batches with publisher confirms over a connection of its own, and connects
/// again by itself after the broker went away. One batch is in flight at a time.
public final class ConfirmedPublisher: Sendable {
    private let slot: Confined<AMQPConnection?>
    public let config: AMQPConfig
    public let confirmTimeout: Double
    /// The connection's name (service and role): the management UI shows it.
    public let name: String
    private let logger: Logger
    /// What its connection last heard (the connection keeps the `bizops_amqp_blocked` gauge).
    private let blocked = Mutex(false)

    public init(config: AMQPConfig, name: String = "publisher", confirmTimeout: Double = 15, logger: Logger) {
        self.config = config
        self.confirmTimeout = confirmTimeout
        self.name = name
        self.logger = logger
        self.slot = Confined(nil, name: "amqp-\(name)")
    }

    /// The broker blocked this publisher (a memory or disk alarm): publishes wait until it lifts.
    /// Read without the connection's thread, which may be waiting for confirms just then.
    public var isBlocked: Bool { blocked.withLock { $0 } }

    private func noteBlocked(_ value: Bool) {
        blocked.withLock { $0 = value }
        if value { logger.warning("the broker blocked publishing (memory or disk alarm); events wait") } else {
            logger.notice("the broker unblocked publishing")
        }
    }

    /// Publishes every message, then waits for the broker's confirms of all of them
    /// (one wait per batch). Throws when the connection failed: none of the batch may be
    /// taken as stored then, and the caller publishes it again later.
    public func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome] {
        guard !messages.isEmpty else { return [] }
        let config = self.config, timeout = self.confirmTimeout
        return try await slot.run { [self] connection in
            let conn = try connected(&connection, config)
            do {
                var tags: [UInt64] = []
                tags.reserveCapacity(messages.count)
                for message in messages { tags.append(try conn.publish(message)) }
                let (nacked, returned) = try conn.awaitConfirms(tags.first!...tags.last!, timeout: timeout)
                return zip(messages, tags).map { message, tag in
                    if let reason = returned[message.properties.messageId ?? ""] { return .returned(reason) }
                    return nacked.contains(tag) ? .nacked : .confirmed
                }
            } catch {
                connection?.close()
                connection = nil
                throw error
            }
        }
    }

    /// Publishes and insists that every message was confirmed and routed.
    public func publishAll(_ messages: [OutgoingMessage]) async throws {
        let outcomes = try await publish(messages)
        if let bad = outcomes.first(where: { $0 != .confirmed }) {
            throw AMQPError(.connection, "broker did not take every message: \(bad)")
        }
    }

    /// Keeps heartbeats flowing while idle; reconnects lazily on the next publish.
    public func keepAlive() async {
        _ = try? await slot.run { connection in
            do { try connection?.keepAlive() } catch {
                connection?.close()
                connection = nil
            }
        }
    }

    public func close() async {
        _ = try? await slot.run { connection in
            connection?.close()
            connection = nil
        }
    }

    private func connected(_ connection: inout AMQPConnection?, _ config: AMQPConfig) throws -> AMQPConnection {
        if let existing = connection, !existing.broken { return existing }
        connection?.close()
        connection = nil
        if isBlocked { noteBlocked(false) }  // a new connection starts unblocked; the broker says again if not
        let fresh = try AMQPConnection(config, name: name)
        fresh.onBlockedChange = { [weak self] in self?.noteBlocked($0) }
        try fresh.enableConfirms()
        connection = fresh
        logger.info("publisher connected", metadata: ["broker": "\(config.redacted)"])
        return fresh
    }
}
