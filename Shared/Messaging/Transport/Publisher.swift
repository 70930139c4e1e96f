import Foundation
import Logging
import Storage

/// Publishes batches with publisher confirms over a connection of its own, and connects
/// again by itself after the broker went away. One batch is in flight at a time.
public final class ConfirmedPublisher: Sendable {
    private let slot: Confined<AMQPConnection?>
    public let config: AMQPConfig
    public let confirmTimeout: Double
    private let logger: Logger

    public init(config: AMQPConfig, name: String = "publisher", confirmTimeout: Double = 15, logger: Logger) {
        self.config = config
        self.confirmTimeout = confirmTimeout
        self.logger = logger
        self.slot = Confined(nil, name: "amqp-\(name)")
    }

    /// Publishes every message, then waits for the broker's confirms of all of them
    /// (one wait per batch). Throws when the connection failed: none of the batch may be
    /// taken as stored then, and the caller publishes it again later.
    public func publish(_ messages: [OutgoingMessage]) async throws -> [PublishOutcome] {
        guard !messages.isEmpty else { return [] }
        let config = self.config, timeout = self.confirmTimeout, logger = self.logger
        return try await slot.run { connection in
            let conn = try Self.connected(&connection, config, logger)
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

    private static func connected(_ connection: inout AMQPConnection?, _ config: AMQPConfig, _ logger: Logger) throws -> AMQPConnection {
        if let existing = connection, !existing.broken { return existing }
        connection?.close()
        connection = nil
        let fresh = try AMQPConnection(config)
        try fresh.enableConfirms()
        connection = fresh
        logger.info("publisher connected", metadata: ["broker": "\(config.redacted)"])
        return fresh
    }
}
