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
                   "HTTP_PORT": String(freePort()), "LOG_LEVEL": "info", "STARTUP_TIMEOUT_SECONDS": "60",
                   // The probe logs in as the admin and makes its own queues, as a developer's setup may.
                   "AMQP_DECLARE_TOPOLOGY": "true"]
        env.merge(extra) { $1 }
        return try ChildProcess("kit-probe", arguments, environment: env)
    }

    /// Starts `serve` and waits until it consumes and its HTTP server listens (it binds a
    /// moment after the consumer starts: a request before that would be refused).
    func serve(env: [String: String] = [:]) async throws -> ChildProcess {
        let child = try start(["serve"], env: env)
        try await child.waitFor("consuming")
        try await child.waitFor("Server started and listening")
        return child
    }

    func command(seq: Int, messageId: String = UUID().uuidString, action: String? = nil,
                 type: String? = "probe.command.v1", body: String? = nil, replyTo: String? = nil) -> OutgoingMessage {
        let json = body ?? (action.map { #"{"seq":\#(seq),"action":"\#($0)"}"# } ?? #"{"seq":\#(seq)}"#)
        return OutgoingMessage(exchange: Topology.ingress, routingKey: "\(id).command",
                               properties: MessageProperties(messageId: messageId, type: type, appId: "tests", userId: "bizops",
                                                             timestamp: Date(), correlationId: "order-\(seq)", replyTo: replyTo),
                               body: Data(json.utf8))
    }

    func send(_ messages: [OutgoingMessage]) async throws { try await TestBus.send(messages) }

    func count(_ table: String, _ condition: String = "true") async throws -> Int64 {
        try await pool.query("SELECT count(*) AS n FROM \(table) WHERE \(condition)").first!.int("n")
    }

    func effects() async throws -> Int64 { try await count("effects") }

    func drain(_ queue: String, expected: Int, timeout: Double = 30) async throws -> [Delivery] {
        try await TestBus.drain(queue, expected: expected, timeout: timeout)
    }

    func queueDepth(_ queue: String) async throws -> Int {
        try await client.messageCount(queue)
    }

    /// Removes the probe's queues and schema.
    func cleanUp() async {
        for queue in [id, "\(id).retry.1", "\(id).retry.2", "\(id).retry.3", "\(id).dead", "\(id).replies", observer] {
            try? await client.deleteQueue(queue)
        }
        let admin = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: nil, poolSize: 1))
        _ = try? await admin.execute("DROP SCHEMA \(id) CASCADE")
        await client.close()
    }
}
