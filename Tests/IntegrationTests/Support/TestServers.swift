import Foundation
import Logging
import Messaging
import Storage
import Testing

/// The real RabbitMQ and PostgreSQL the tests run against (started by
/// `deploy/local/infra.sh start`). Missing servers fail the tests loudly, unless the run
/// asks to skip them with BIZOPS_SKIP_INTEGRATION=1.
///
/// The tests have a vhost and a database of their own (`bizops-test`, `bizops_test`; each lane
/// of `make test` its own, given in BIZOPS_TEST_AMQP_URL and BIZOPS_TEST_DATABASE_URL), so they
/// run beside a system `make run` started and beside each other.
enum TestServers {
    static let environment = ProcessInfo.processInfo.environment
    static let amqpURL = environment["BIZOPS_TEST_AMQP_URL"] ?? "amqp://bizops:bizops-dev@127.0.0.1:5672/bizops-test"
    static let databaseURL = environment["BIZOPS_TEST_DATABASE_URL"] ?? "postgresql://bizops:bizops-dev@127.0.0.1:5432/bizops_test"
    /// The tests' vhost and database: the paths of the two URLs.
    static let vhost = URLComponents(string: amqpURL)!.path.dropFirst().removingPercentEncoding!
    static let database = String(URLComponents(string: databaseURL)!.path.dropFirst())
    static let skip = environment["BIZOPS_SKIP_INTEGRATION"] == "1"
    static let enabled = !skip

    static let repoRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, IntegrationTests, Tests, repo
        return url
    }()
    static let binDir = environment["BIZOPS_BIN_DIR"].map { URL(fileURLWithPath: $0) }
        ?? repoRoot.appendingPathComponent(".build/debug")

    static var amqp: AMQPConfig { try! AMQPConfig.parse(amqpURL) }

    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// Fails with a clear message when a server does not answer.
    static func requireUp() async throws {
        try await space.value
        let pool = PostgresPool(DatabaseConfig(url: databaseURL, schema: nil, poolSize: 1))
        guard await pool.ping() else {
            throw TestSetupError("PostgreSQL does not answer at \(databaseURL): run `deploy/local/infra.sh start` (or set BIZOPS_SKIP_INTEGRATION=1 to skip)")
        }
        let client = AMQPClient(config: amqp)
        defer { Task { await client.close() } }
        do { try await client.declareSharedExchanges() } catch {
            throw TestSetupError("RabbitMQ does not answer at \(amqpURL): \(error): run `deploy/local/infra.sh start` (or set BIZOPS_SKIP_INTEGRATION=1 to skip)")
        }
    }

    /// The tests' vhost and database, made (or brought up to date) once per test process by
    /// `infra.sh test-space`; the lanes of `make test` have theirs made before they start.
    private static let space = Task {
        guard environment["BIZOPS_TEST_SPACE_READY"] != "1" else { return }
        try infra("test-space '\(vhost)' '\(database)'")
    }

    /// A fresh schema for one test, owned by the admin role.
    static func freshSchema(_ prefix: String = "t") async throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresPool(DatabaseConfig(url: databaseURL, schema: nil, poolSize: 1))
        try await admin.execute("CREATE SCHEMA \(try PGConnection.quoteIdentifier(name))")
        return name
    }

    static func pool(schema: String, size: Int = 2) -> PostgresPool {
        PostgresPool(DatabaseConfig(url: databaseURL, schema: schema, poolSize: size), logger: logger)
    }

    /// Runs `deploy/local/infra.sh <command>` (to stop and start the servers under test).
    /// Plain system(3) with output to a file: the servers it starts are daemons that inherit
    /// the child's descriptors, and Foundation's Process then never sees the script end.
    static func infra(_ command: String) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("infra-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let script = repoRoot.appendingPathComponent("deploy/local/infra.sh").path
        let status = system("bash '\(script)' \(command) </dev/null >'\(log.path)' 2>&1")
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSetupError("infra.sh \(command) failed (status \(status)): \(text)")
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds or the timeout passes; returns whether it held.
func eventually(timeout: Double = 20, every: Double = 0.1, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(Int(every * 1000)))
    }
    return try await condition()
}
