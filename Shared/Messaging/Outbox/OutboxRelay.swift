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
        let types = try? await pool.run { try OutboxStore($0).recentTypes() }
        for type in types ?? [] {
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
                return try OutboxStore(conn).claim(limit: limit)
            }
            do {
                guard !rows.isEmpty else {
                    try await lease.run { try $0.exec("COMMIT") }
                    return 0
                }
                let outcomes = try await self.publisher.publish(rows.map(\.message))
                var sent: [String] = [], notes: [(id: String, note: String)] = []
                var published: [String: Int64] = [:]
                for (row, outcome) in zip(rows, outcomes) {
                    switch outcome {
                    case .confirmed:
                        sent.append(row.id)
                        published[row.message.properties.type ?? "", default: 0] += 1
                    case .returned(let reason):
                        // Unroutable: publishing again cannot help; keep the reason on the row.
                        self.logger.warning("broker returned an outbox message", metadata: ["id": "\(row.id)", "reason": "\(reason)"])
                        sent.append(row.id); notes.append((row.id, reason))
                    case .nacked: continue
                    }
                }
                try await lease.run { [sent, notes] conn in
                    try OutboxStore(conn).markSent(sent, notes: notes)
                    try conn.exec("COMMIT")
                }
                self.commitCounter.increment()
                // By type: the service's own events and answers, so these counters are also its business
                // counters (orders accepted, invoices paid, complaints opened: docs/operations.md).
                for (type, n) in published {
                    Counter(label: "bizops_outbox_published_total", dimensions: [("service", self.schema), ("type", type)]).increment(by: n)
                }
                self.returnedCounter.increment(by: Int64(notes.count))
                return rows.count
            } catch {
                _ = try? await lease.run { conn in if conn.isOpen { try conn.exec("ROLLBACK") } }
                throw error
            }
        }
    }

    /// Deletes sent outbox rows, inbox entries and refusal records older than their retention.
    public func prune() async throws {
        let retention = Int(settings.retention), refusalRetention = Int(settings.refusalRetention)
        let (outbox, inbox, refusals) = try await pool.run { conn in
            let pruned = (try OutboxStore(conn).pruneSent(olderThan: retention), try InboxStore(conn).prune(olderThan: retention),
                          try RefusalStore(conn).prune(olderThan: refusalRetention))
            // Refusals are kept longest; a link to a trace older than that leads nowhere a backend still has.
            _ = try TraceRootStore(conn).prune(olderThan: refusalRetention)
            return pruned
        }
        if outbox + inbox + refusals > 0 {
            logger.info("pruned old rows", metadata: ["outbox": "\(outbox)", "inbox": "\(inbox)", "refusals": "\(refusals)"])
        }
    }
}
