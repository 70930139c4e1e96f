import Foundation
import Messaging
import Storage

/// One instance of the kit-probe service under test, with its own schema, queues and
/// routing keys, so tests cannot see each other's messages.
struct Probe {
    let id: String
    let pool: PostgresPool
    let client = AMQPClient(config: TestServers.amqp)
    /// A durable queue bound to the probe's events: what another service would see.
    var observer: String { "\(id).observer" }

    static func make() async throws -> Probe {
        try await TestServers.requireUp()
        let id = try await TestServers.freshSchema("kp")
        let probe = Probe(id: id, pool: TestServers.pool(schema: id))
        try await probe.client.declareDurableQueue(probe.observer, bindings: [.event("\(id).command.handled")])
        return probe
    }

    func start(_ arguments: [String] = ["serve"], env extra: [String: String] = [:]) throws -> ChildProcess {
        var env = ["AMQP_URL": TestServers.amqpURL, "DATABASE_URL": TestServers.databaseURL, "PROBE_ID": id,
                   "HTTP_PORT": String(freePort()), "LOG_LEVEL": "info", "STARTUP_TIMEOUT_SECONDS": "60"]
        env.merge(extra) { $1 }
        return try ChildProcess("kit-probe", arguments, environment: env)
    }

    /// Starts `serve` and waits until it consumes.
    func serve(env: [String: String] = [:]) async throws -> ChildProcess {
        let child = try start(["serve"], env: env)
        try await child.waitFor("consuming")
        return child
    }

    func command(seq: Int, messageId: String = UUID().uuidString, action: String? = nil,
                 type: String? = "probe.command.v1", body: String? = nil) -> OutgoingMessage {
        let json = body ?? (action.map { #"{"seq":\#(seq),"action":"\#($0)"}"# } ?? #"{"seq":\#(seq)}"#)
        return OutgoingMessage(exchange: Topology.ingress, routingKey: "\(id).command",
                               properties: MessageProperties(messageId: messageId, type: type, appId: "tests",
                                                             timestamp: Date(), correlationId: "order-\(seq)"),
                               body: Data(json.utf8))
    }

    /// Publishes like an outside system: with confirms, and again if the broker was away.
    func send(_ messages: [OutgoingMessage]) async throws {
        let publisher = ConfirmedPublisher(config: TestServers.amqp, name: "test-sender", logger: TestServers.logger)
        defer { Task { await publisher.close() } }
        var lastError: Error?
        for _ in 0..<40 {
            do { try await publisher.publishAll(messages); return } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        throw lastError!
    }

    func count(_ table: String, _ condition: String = "true") async throws -> Int64 {
        try await pool.query("SELECT count(*) AS n FROM \(table) WHERE \(condition)").first!.int("n")
    }

    func effects() async throws -> Int64 { try await count("effects") }

    /// Reads up to `expected` messages from a queue (acking them), waiting up to `timeout`.
    func drain(_ queue: String, expected: Int, timeout: Double = 30) async throws -> [Delivery] {
        let reader = AMQPClient(config: TestServers.amqp)
        defer { Task { await reader.close() } }
        try await reader.startConsuming(queue)
        var got: [Delivery] = []
        let deadline = ContinuousClock.now + .seconds(timeout)
        while got.count < expected && ContinuousClock.now < deadline {
            let batch = try await reader.receive(max: 500, wait: 0.5)
            try await reader.ack(batch)
            got += batch
        }
        // Anything beyond the expected count is a duplicate the test should see.
        let extra = try await reader.receive(max: 500, wait: 0.5)
        try await reader.ack(extra)
        return got + extra
    }

    func queueDepth(_ queue: String) async throws -> Int {
        try await client.messageCount(queue)
    }

    /// Removes the probe's queues and schema.
    func cleanUp() async {
        for queue in [id, "\(id).retry.1", "\(id).retry.2", "\(id).retry.3", "\(id).dead", observer] {
            try? await client.deleteQueue(queue)
        }
        let admin = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: nil, poolSize: 1))
        _ = try? await admin.execute("DROP SCHEMA \(id) CASCADE")
        await client.close()
    }
}
