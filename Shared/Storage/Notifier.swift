import Foundation

/// A session of its own that LISTENs on one channel, so a relay wakes when rows arrive
/// instead of polling hard. Reconnects (and listens again) after the server went away.
public final class Notifier: Sendable {
    private let slot: Confined<PGConnection?>
    private let config: DatabaseConfig
    public let channel: String

    public init(config: DatabaseConfig, channel: String) {
        self.config = config
        self.channel = channel
        self.slot = Confined(nil, name: "pg-listen-\(channel)")
    }

    /// Waits up to `timeout` seconds; true when a notification arrived.
    /// Throws when the server cannot be reached (the caller backs off).
    public func wait(timeout: Double) async throws -> Bool {
        let config = self.config, channel = self.channel
        return try await slot.run { connection in
            if connection == nil || !(connection!.isOpen) {
                let conn = try ensureOpen(&connection, config)
                try conn.exec("LISTEN \(try PGConnection.quoteIdentifier(channel))")
            }
            return try !connection!.waitForNotifications(timeout: timeout).isEmpty
        }
    }
}
