import Foundation
import Logging
import Storage
import Testing

@Suite(.serialized, .enabled(if: TestServers.enabled)) struct StorageIntegrationTests {
    init() async throws { try await TestServers.requireUp() }

    @Test func typedParametersAndRowsRoundTrip() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema)
        try await pool.execute("""
            CREATE TABLE v (t text, i integer, b bigint, f boolean, u uuid, ts timestamptz, d date, j jsonb, m numeric(20,0))
            """)
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
        try await pool.execute("INSERT INTO v VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", [
            .text("O'Reilly \"quoted\" ü"), .int(42), .int(9_000_000_000_000), .bool(true), .uuid(id),
            .timestamp(when), .date("2026-12-01"), .json(#"{"sku":"SKU-1","qty":3}"#), .int(123_456),
        ])
        let row = try #require(try await pool.query("SELECT * FROM v").first)
        #expect(try row.string("t") == "O'Reilly \"quoted\" ü")
        #expect(try row.int("i") == 42)
        #expect(try row.int("b") == 9_000_000_000_000)
        #expect(try row.bool("f"))
        #expect(try row.uuid("u") == id)
        #expect(abs(try row.timestamp("ts").timeIntervalSince(when)) < 0.000_01)
        #expect(try row.date("d") == "2026-12-01")
        struct Line: Decodable { let sku: String; let qty: Int }
        #expect(try row.json("j", as: Line.self).qty == 3)
        #expect(try row.minorUnits("m") == 123_456)
        // NULL and arrays
        try await pool.execute("INSERT INTO v (t) VALUES ($1)", [.null])
        #expect(try await pool.query("SELECT count(*) AS n FROM v WHERE t IS NULL").first?.int("n") == 1)
        let arrays = try await pool.query("SELECT array_length($1::text[], 1) AS n", [.textArray(["a", "b\"c", "d\\e"])])
        #expect(try arrays.first?.int("n") == 3)
    }

    @Test func errorsCarrySQLState() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema)
        try await pool.execute("CREATE TABLE k (id integer PRIMARY KEY)")
        try await pool.execute("INSERT INTO k VALUES (1)")
        do {
            try await pool.execute("INSERT INTO k VALUES ($1)", [.int(1)])
            Issue.record("duplicate key accepted")
        } catch let error as PostgresError {
            #expect(error.sqlState == "23505")
            #expect(error.kind == .server)
            #expect(error.description.contains("duplicate key"))
        }
        do {
            try await pool.execute("SELECT * FROM no_such_table")
            Issue.record("query on a missing table succeeded")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42P01")
        }
    }

    @Test func transactionsRollBackOnError() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema)
        try await pool.execute("CREATE TABLE r (n integer)")
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await pool.transaction { tx in
                try tx.execute("INSERT INTO r VALUES (1)")
                throw Boom()
            }
        }
        #expect(try await pool.query("SELECT count(*) AS n FROM r").first?.int("n") == 0)
        try await pool.transaction { tx in try tx.execute("INSERT INTO r VALUES (2)") }
        #expect(try await pool.query("SELECT count(*) AS n FROM r").first?.int("n") == 1)
    }

    /// Every connection busy: the next caller waits `checkoutTimeout`, then gets an error that
    /// names the limit (transient, so a handler's message is retried, never lost).
    @Test func aBusyPoolTimesOutWithAClearError() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: schema, poolSize: 1, checkoutTimeout: 0.3))
        async let holder = pool.execute("SELECT pg_sleep(1.5)")
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        do {
            _ = try await pool.query("SELECT 1 AS n")
            Issue.record("the second caller should not have got a connection")
        } catch let error as PostgresError {
            #expect(error.kind == .pool && error.isTransient)
            #expect(error.message.contains("DB_POOL_SIZE"), "\(error)")
            #expect(ContinuousClock.now - started < .seconds(1))
        }
        _ = try await holder
        #expect(try await pool.query("SELECT 1 AS n").count == 1, "the pool serves again once the connection is back")
    }

    /// The session limits reach every connection (libpq `options`).
    @Test func sessionLimitsAreSet() async throws {
        let pool = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: nil, poolSize: 1, statementTimeout: 7,
                                               lockTimeout: 2.5, idleInTransactionTimeout: 0))
        let row = try #require(try await pool.query("""
            SELECT current_setting('statement_timeout') AS s, current_setting('lock_timeout') AS l,
                   current_setting('idle_in_transaction_session_timeout') AS i
            """).first)
        #expect(try row.string("s") == "7s" && row.string("l") == "2500ms" && row.string("i") == "0")
    }

    /// Two transactions lock two rows in opposite orders: PostgreSQL kills one with a
    /// deadlock (40P01); the pool runs that one again and both effects land.
    @Test func deadlocksAreRetried() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema, size: 2)
        try await pool.execute("CREATE TABLE acct (id integer PRIMARY KEY, n integer NOT NULL)")
        try await pool.execute("INSERT INTO acct VALUES (1, 0), (2, 0)")
        let attempts = Counter()
        async let first: Void = pool.transaction { tx in
            attempts.add()
            try tx.execute("UPDATE acct SET n = n + 1 WHERE id = 1")
            try tx.execute("SELECT pg_sleep(0.3)")
            try tx.execute("UPDATE acct SET n = n + 1 WHERE id = 2")
        }
        async let second: Void = pool.transaction { tx in
            attempts.add()
            try tx.execute("UPDATE acct SET n = n + 10 WHERE id = 2")
            try tx.execute("SELECT pg_sleep(0.3)")
            try tx.execute("UPDATE acct SET n = n + 10 WHERE id = 1")
        }
        _ = try await (first, second)
        let rows = try await pool.query("SELECT id, n FROM acct ORDER BY id")
        #expect(try rows.map { try $0.int("n") } == [11, 11])
        #expect(attempts.value >= 3, "one of the two should have been run again after the deadlock")
    }

    @Test func listenNotify() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema)
        let notifier = Notifier(config: pool.config, channel: "\(schema)_ping")
        #expect(try await notifier.wait(timeout: 0.2) == false)
        try await pool.execute("SELECT pg_notify($1, 'x')", [.text("\(schema)_ping")])
        #expect(try await notifier.wait(timeout: 5))
    }

    @Test func migrationsRefuseAChangedChecksum() async throws {
        let schema = try await TestServers.freshSchema()
        let pool = TestServers.pool(schema: schema)
        let first = [Migration(1, "t", "CREATE TABLE m (x integer);")]
        #expect(try await Migrator.apply(first, pool: pool, logger: TestServers.logger) == [1])
        #expect(try await Migrator.apply(first, pool: pool, logger: TestServers.logger) == [])
        let edited = [Migration(1, "t", "CREATE TABLE m (x bigint);")]
        await #expect(throws: MigrationError.self) {
            try await Migrator.apply(edited, pool: pool, logger: TestServers.logger)
        }
        // A failing migration leaves nothing half-applied.
        let broken = first + [Migration(2, "broken", "CREATE TABLE n (y integer); SELECT 1/0;")]
        await #expect(throws: PostgresError.self) { try await Migrator.apply(broken, pool: pool, logger: TestServers.logger) }
        #expect(try await pool.query("SELECT to_regclass('n') IS NULL AS gone").first?.bool("gone") == true)
    }

    /// Each service role may use its own schema only.
    @Test func serviceRolesCannotTouchAnotherSchema() async throws {
        let base = URLComponents(string: TestServers.databaseURL)!
        func url(_ role: String) -> String {
            var c = base
            c.user = role
            c.password = "bizops-dev"
            return c.string!
        }
        let logistics = PostgresPool(DatabaseConfig(url: url("logistics"), schema: "logistics", poolSize: 1))
        let table = "isolation_\(UUID().uuidString.prefix(8).lowercased())"
        try await logistics.execute("CREATE TABLE \(table) (x integer)")
        let sales = PostgresPool(DatabaseConfig(url: url("sales"), schema: "sales", poolSize: 1))
        for sql in ["SELECT * FROM logistics.\(table)", "INSERT INTO logistics.\(table) VALUES (1)",
                    "CREATE TABLE logistics.intruder (x integer)", "CREATE TABLE public.intruder (x integer)"] {
            do {
                try await sales.execute(sql)
                Issue.record("sales could run: \(sql)")
            } catch let error as PostgresError {
                #expect(error.sqlState == "42501", "\(sql): \(error)")
            }
        }
        // …while its own schema works.
        try await sales.execute("CREATE TABLE \(table) (x integer)")
        try await sales.execute("DROP TABLE \(table)")
        try await logistics.execute("DROP TABLE \(table)")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
