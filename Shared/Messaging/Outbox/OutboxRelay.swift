import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Storage

/// Publishes the service's outbox in order of creation: batches taken with
/// `FOR UPDATE SKIP LOCKED` (replicas share the work), published with batched confirms,
/// marked sent only after the broker confirmed them. Woken by NOTIFY, with polling as
/// the fallback. On shutdown it flushes what is left. Prunes old rows on a schedule.
public final class OutboxRelay: Service, Sendable {
    public struct Settings: Sendable {
        public var batchSize = 500
        public var pollInterval = 1.0
        public var pruneInterval = 600.0
        /// Sent outbox rows and inbox entries older than this are deleted.
        public var retention = 7.0 * 86_400
        /// Refusal log entries are kept longer: operators and auditors read them.
        public var refusalRetention = 90.0 * 86_400
        public var shutdownFlushTimeout = 10.0
        public init() {}
    }

    public let pool: PostgresPool
    public let publisher: ConfirmedPublisher
    private let notifier: Notifier
    public let settings: Settings
    private let logger: Logger
    private let returnedCounter: Counter, commitCounter: Counter
    private let schema: String

    public init(pool: PostgresPool, publisher: ConfirmedPublisher, settings: Settings = Settings(), logger: Logger) {
        self.pool = pool; self.publisher = publisher; self.settings = settings; self.logger = logger
        let schema = pool.config.schema ?? "public"
        self.notifier = Notifier(config: pool.config, channel: MessagingMigrations.notifyChannel(schema: schema))
        self.schema = schema
        returnedCounter = Counter(label: "bizops_outbox_returned_total", dimensions: [("service", schema)])
        // Its commits are its own (BEGIN … COMMIT by hand around the publish), counted beside the pool's.
        commitCounter = Counter(label: "bizops_db_transactions_total", dimensions: [("service", schema), ("kind", "relay")])
    }

    public func run() async throws {
        await startCounters()
        var lastPrune = ContinuousClock.now - .seconds(settings.pruneInterval)
        var backoff = Backoff()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let count = try await relayBatch()
                backoff.reset()
                if count == settings.batchSize { continue }
                if ContinuousClock.now - lastPrune > .seconds(settings.pruneInterval) {
                    try await prune()
                    lastPrune = ContinuousClock.now
                }
                await publisher.keepAlive()
                _ = try await notifier.wait(timeout: settings.pollInterval)
            } catch {
                logger.warning("outbox relay failed, retrying", metadata: [
                    "error": "\(error)", "within_seconds": "\(String(format: "%.1f", backoff.upcoming))"])
                await backoff.wait()
            }
        }
        await flush()
        await publisher.close()
    }

    /// The published counters of the types the service sent lately, at 0 from the start: a series
    /// that first appears at its first value hides that value from `rate` and `increase`.
    private func startCounters() async {
        let rows = try? await pool.query("""
            SELECT DISTINCT message_type FROM (SELECT message_type FROM outbox ORDER BY id DESC LIMIT 100000) AS recent
            """)
        for row in rows ?? [] {
            guard let type = try? row.string("message_type") else { continue }
            _ = Counter(label: "bizops_outbox_published_total", dimensions: [("service", schema), ("type", type)])
        }
    }

    /// Publishes what is left before the process ends, within the shutdown timeout.
    public func flush() async {
        let deadline = ContinuousClock.now + .seconds(settings.shutdownFlushTimeout)
        while ContinuousClock.now < deadline {
            do {
                if try await relayBatch() == 0 { return }
            } catch {
                logger.warning("outbox not flushed at shutdown; it will be published on the next start", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    /// One batch; returns how many rows it published.
    @discardableResult
    public func relayBatch() async throws -> Int {
        let limit = settings.batchSize
        return try await pool.withConnection { lease in
            let rows = try await lease.run { conn in
                try conn.exec("BEGIN")
                return try conn.query("""
                    SELECT id, message_id, exchange, routing_key, message_type, app_id, correlation_id, reply_to,
                           headers::text AS headers, body, occurred_at
                    FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                    """, [.int(Int64(limit))])
            }
            do {
                guard !rows.isEmpty else {
                    try await lease.run { try $0.exec("COMMIT") }
                    return 0
                }
                let messages = try rows.map(Self.message(from:))
                let outcomes = try await self.publisher.publish(messages)
                var sent: [String] = [], notes: [String] = [], noted: [String] = []
                var published: [String: Int64] = [:]
                for (row, outcome) in zip(rows, outcomes) {
                    let id = try row.string("id")
                    switch outcome {
                    case .confirmed:
                        sent.append(id)
                        published[try row.string("message_type"), default: 0] += 1
                    case .returned(let reason):
                        // Unroutable: publishing again cannot help; keep the reason on the row.
                        self.logger.warning("broker returned an outbox message", metadata: ["id": "\(id)", "reason": "\(reason)"])
                        sent.append(id); noted.append(id); notes.append(reason)
                    case .nacked: continue
                    }
                }
                try await lease.run { [sent, noted, notes] conn in
                    try conn.execute("UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", [.textArray(sent)])
                    if !noted.isEmpty {
                        try conn.execute("""
                            UPDATE outbox SET publish_note = u.note FROM unnest($1::bigint[], $2::text[]) AS u(id, note)
                            WHERE outbox.id = u.id
                            """, [.textArray(noted), .textArray(notes)])
                    }
                    try conn.exec("COMMIT")
                }
                self.commitCounter.increment()
                // By type: the service's own events and answers, so these counters are also its business
                // counters (orders accepted, invoices paid, complaints opened: docs/operations.md).
                for (type, n) in published {
                    Counter(label: "bizops_outbox_published_total", dimensions: [("service", self.schema), ("type", type)]).increment(by: n)
                }
                self.returnedCounter.increment(by: Int64(noted.count))
                return rows.count
            } catch {
                _ = try? await lease.run { conn in if conn.isOpen { try conn.exec("ROLLBACK") } }
                throw error
            }
        }
    }

    static func message(from row: PGRow) throws -> OutgoingMessage {
        OutgoingMessage(
            exchange: try row.string("exchange"), routingKey: try row.string("routing_key"),
            properties: MessageProperties(
                messageId: try row.string("message_id"), type: try row.string("message_type"),
                appId: try row.string("app_id"), timestamp: try row.timestamp("occurred_at"),
                correlationId: try row.optionalString("correlation_id"), replyTo: try row.optionalString("reply_to"),
                headers: HeaderCodec.decode(try row.string("headers"))),
            body: Data(try row.string("body").utf8))
    }

    /// Deletes sent outbox rows, inbox entries and refusal records older than their retention.
    public func prune() async throws {
        let seconds = PGValue.int(Int64(settings.retention))
        let outbox = try await pool.execute(
            "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", [seconds])
        let inbox = try await pool.execute(
            "DELETE FROM inbox WHERE received_at < now() - make_interval(secs => $1)", [seconds])
        let refusals = try await pool.execute(
            "DELETE FROM refusals WHERE refused_at < now() - make_interval(secs => $1)", [.int(Int64(settings.refusalRetention))])
        // Refusals are kept longest; a link to a trace older than that leads nowhere a backend still has.
        _ = try await pool.execute(
            "DELETE FROM trace_roots WHERE first_seen_at < now() - make_interval(secs => $1)", [.int(Int64(settings.refusalRetention))])
        if outbox.affectedRows + inbox.affectedRows + refusals.affectedRows > 0 {
            logger.info("pruned old rows", metadata: ["outbox": "\(outbox.affectedRows)", "inbox": "\(inbox.affectedRows)",
                                                      "refusals": "\(refusals.affectedRows)"])
        }
    }
}
