import Foundation
import Logging
import Metrics

/// Where and how a service reaches its database.
public struct DatabaseConfig: Sendable {
    public var url: String
    /// The schema every session of this pool works in (search_path).
    public var schema: String?
    public var poolSize: Int
    public var applicationName: String
    /// Session limits in seconds (0: none): a runaway statement, a lock wait and a transaction
    /// left open end with an error instead of holding the database.
    public var statementTimeout: Double
    public var lockTimeout: Double
    public var idleInTransactionTimeout: Double
    /// How long a caller waits for a free connection of the pool before it gets an error.
    public var checkoutTimeout: Double

    public init(url: String, schema: String?, poolSize: Int = 4, applicationName: String = "bizops",
                statementTimeout: Double = 30, lockTimeout: Double = 10, idleInTransactionTimeout: Double = 60,
                checkoutTimeout: Double = 10) {
        self.url = url; self.schema = schema; self.poolSize = max(1, poolSize); self.applicationName = applicationName
        self.statementTimeout = statementTimeout; self.lockTimeout = lockTimeout
        self.idleInTransactionTimeout = idleInTransactionTimeout; self.checkoutTimeout = checkoutTimeout
    }

    /// The limits as libpq's `options` (`-c name=milliseconds`).
    var sessionOptions: String {
        func ms(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
        return "-c statement_timeout=\(ms(statementTimeout)) -c lock_timeout=\(ms(lockTimeout)) "
            + "-c idle_in_transaction_session_timeout=\(ms(idleInTransactionTimeout))"
    }
}

/// A connection checked out of the pool; every call runs on that connection's own thread.
public struct ConnectionLease: Sendable {
    let slot: Confined<PGConnection?>
    let config: DatabaseConfig

    /// Runs `body` with a live connection, reconnecting first if the old one was lost.
    public func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        let config = self.config
        return try await slot.run { connection in
            try body(try ensureOpen(&connection, config))
        }
    }
}

func ensureOpen(_ connection: inout PGConnection?, _ config: DatabaseConfig) throws -> PGConnection {
    if let existing = connection, existing.isOpen { return existing }
    if let existing = connection {
        try existing.connect()
        return existing
    }
    let fresh = try PGConnection(url: config.url, schema: config.schema, applicationName: config.applicationName,
                                 options: config.sessionOptions)
    connection = fresh
    return fresh
}

/// A small fixed pool of libpq connections, each on its own thread. Connections open
/// lazily and reopen by themselves after the server went away.
public actor PostgresPool {
    public nonisolated let config: DatabaseConfig
    private let slots: [Confined<PGConnection?>]
    private var free: [Int]
    private var waiters: [Waiter] = []
    private let logger: Logger
    /// Transactions committed through `transaction` and statements run on their own (each its
    /// own implicit transaction); the outbox relay counts its own commits under the same name
    /// (`kind="relay"`). The load driver divides them by the orders it completed.
    private let committed: Counter
    private let statements: Counter
    /// Connections checked out, how long each checkout waited for one, and the waits that gave up.
    private let inUse: Gauge
    private let waitTimer: Metrics.Timer
    private let timeouts: Counter

    public init(_ config: DatabaseConfig, logger: Logger = Logger(label: "bizops.storage")) {
        self.config = config
        self.logger = logger
        committed = Counter(label: "bizops_db_transactions_total", dimensions: [("service", config.schema ?? "none"), ("kind", "transaction")])
        statements = Counter(label: "bizops_db_transactions_total", dimensions: [("service", config.schema ?? "none"), ("kind", "statement")])
        let service = config.schema ?? "none"
        inUse = Gauge(label: "bizops_db_pool_in_use", dimensions: [("service", service)])
        waitTimer = Metrics.Timer(label: "bizops_db_pool_wait_seconds", dimensions: [("service", service)])
        timeouts = Counter(label: "bizops_db_pool_timeouts_total", dimensions: [("service", service)])
        Gauge(label: "bizops_db_pool_size", dimensions: [("service", service)]).record(config.poolSize)
        self.slots = (0..<config.poolSize).map { Confined(nil, name: "pg-\(config.schema ?? "db")-\($0)") }
        self.free = Array(0..<config.poolSize)
    }

    private struct Waiter { let id: UInt64; let continuation: CheckedContinuation<Int, any Error> }
    private var nextWaiter: UInt64 = 0

    /// A free connection, or an error once `checkoutTimeout` has passed with none free.
    private func acquire() async throws -> Int {
        if let index = free.popLast() {
            waitTimer.recordNanoseconds(0)
            inUse.record(config.poolSize - free.count)
            return index
        }
        let started = ContinuousClock.now
        do {
            let index = try await waitForConnection()
            waitTimer.recordNanoseconds((ContinuousClock.now - started).totalNanoseconds)
            return index
        } catch {
            timeouts.increment()
            throw error
        }
    }

    private func waitForConnection() async throws -> Int {
        nextWaiter += 1
        let id = nextWaiter, timeout = config.checkoutTimeout, size = config.poolSize
        guard timeout > 0 else {  // 0: wait as long as it takes
            return try await withCheckedThrowingContinuation { waiters.append(Waiter(id: id, continuation: $0)) }
        }
        let timer = Task { [weak self] in
            try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            await self?.expire(id, PostgresError(.pool, message: "no database connection free within \(timeout) s "
                                                 + "(all \(size) in use; DB_POOL_SIZE raises the limit)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { waiters.append(Waiter(id: id, continuation: $0)) }
    }

    private func expire(_ id: UInt64, _ error: PostgresError) {
        guard let at = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: at).continuation.resume(throwing: error)
    }

    private func release(_ index: Int) {
        if waiters.isEmpty { free.append(index) } else { waiters.removeFirst().continuation.resume(returning: index) }
        inUse.record(config.poolSize - free.count)
    }

    /// Checks a connection out for the duration of `body`.
    public func withConnection<T: Sendable>(_ body: @Sendable (ConnectionLease) async throws -> T) async throws -> T {
        let index = try await acquire()
        defer { release(index) }
        return try await body(ConnectionLease(slot: slots[index], config: config))
    }

    /// Runs `body` on one connection's thread, each statement on its own (no transaction): a
    /// store's single read or write outside a unit of work.
    public func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        statements.increment()
        return try await withConnection { lease in try await lease.run(body) }
    }

    /// Opens every connection now, so a bad URL or password fails at start-up.
    public func warmUp() async throws {
        for slot in slots {
            _ = try await ConnectionLease(slot: slot, config: config).run { _ in true }
        }
    }

    /// Runs `body` inside BEGIN … COMMIT on one connection's thread. Serialization
    /// failures, deadlocks and lost connections run the whole body again, with backoff,
    /// up to `attempts` times; anything else rolls back and is thrown.
    @discardableResult
    public func transaction<T: Sendable>(attempts: Int = 4,
                                         _ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        let logger = self.logger, committed = self.committed
        return try await withConnection { lease in
            try await lease.slot.run { [config] connection in
                var attempt = 1
                var backoff = Backoff(initial: 0.1, maximum: 2)
                while true {
                    do {
                        let conn = try ensureOpen(&connection, config)
                        let value = try Transaction.run(on: conn, body)
                        committed.increment()
                        return value
                    } catch let error as PostgresError where error.isTransient && attempt < attempts {
                        logger.warning("transaction attempt \(attempt) failed, retrying", metadata: ["error": "\(error)"])
                        usleep(useconds_t(backoff.next() * 1_000_000))  // on the connection's own thread
                        attempt += 1
                    }
                }
            }
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ params: [PGValue] = []) async throws -> PGResult {
        statements.increment()
        return try await withConnection { lease in try await lease.run { try $0.execute(sql, params) } }
    }

    public func query(_ sql: String, _ params: [PGValue] = []) async throws -> [PGRow] {
        try await execute(sql, params).rows
    }

    /// True when a connection answers `SELECT 1` (the readiness check).
    public func ping() async -> Bool {
        (try? await query("SELECT 1 AS ok").count == 1) ?? false
    }
}

/// The statements of one open transaction. Only valid inside `PostgresPool.transaction`.
public final class Transaction {
    public let connection: PGConnection
    private var beforeCommit: [() throws -> Void] = []

    init(connection: PGConnection) { self.connection = connection }

    static func run<T>(on connection: PGConnection, _ body: (Transaction) throws -> T) throws -> T {
        try connection.exec("BEGIN")
        let tx = Transaction(connection: connection)
        do {
            let value = try body(tx)
            for hook in tx.beforeCommit { try hook() }
            try connection.exec("COMMIT")
            return value
        } catch {
            if connection.isOpen { try? connection.exec("ROLLBACK") }
            throw error
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ params: [PGValue] = []) throws -> PGResult {
        try connection.execute(sql, params)
    }

    public func query(_ sql: String, _ params: [PGValue] = []) throws -> [PGRow] {
        try connection.query(sql, params)
    }

    /// Sets a setting until the transaction ends (`set_config(name, value, true)`).
    public func setLocal(_ name: String, _ value: String) throws {
        try execute("SELECT set_config($1, $2, true)", [.text(name), .text(value)])
    }

    /// Waits for the lock named `name` and holds it until the transaction ends (one at a time across processes).
    public func lock(_ name: String) throws {
        try execute("SELECT pg_advisory_xact_lock(hashtext($1))", [.text(name)])
    }

    /// Runs `hook` just before COMMIT (e.g. to write buffered outbox rows in one statement).
    public func onBeforeCommit(_ hook: @escaping () throws -> Void) { beforeCommit.append(hook) }
}
