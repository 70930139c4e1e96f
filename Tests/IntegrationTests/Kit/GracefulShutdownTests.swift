import Contracts
import Foundation
@testable import Messaging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Storage
import Testing

/// What the consumer and the relay do when the process is told to stop (SIGTERM, as
/// swift-service-lifecycle's test kit triggers it): nothing committed is left unpublished, nothing
/// delivered is lost, and both return.
@Suite(.enabled(if: TestServers.enabled)) struct GracefulShutdownTests {
    init() async throws { try await TestServers.requireUp() }

    /// A scratch schema with the kit's tables and an `effects` table a test handler writes.
    func scratch() async throws -> (schema: String, pool: PostgresPool) {
        let schema = try await TestServers.freshSchema("gs")
        let pool = TestServers.pool(schema: schema)
        try await Migrator.apply(MessagingMigrations.all(schema: schema) + [
            Migration(100, "what the test handler did", "CREATE TABLE effects (message_id uuid PRIMARY KEY)"),
        ], pool: pool, logger: TestServers.logger)
        return (schema, pool)
    }

    func drop(_ schema: String) async {
        let admin = PostgresPool(DatabaseConfig(url: TestServers.databaseURL, schema: nil, poolSize: 1))
        _ = try? await admin.execute("DROP SCHEMA \(try PGConnection.quoteIdentifier(schema)) CASCADE")
    }

    func message(_ key: String, id: String = UUID().uuidString.lowercased()) throws -> OutgoingMessage {
        let example = #"{"invoiceNumber": "INV-000123", "orderRef": "WEB-10023", "customerCode": "C-1001", "kind": "final", "amount": 4230, "orderSettled": true}"#
        return OutgoingMessage(exchange: Topology.events, routingKey: key,
                               properties: MessageProperties(messageId: id, type: InvoicePaid.messageType, appId: "tests", timestamp: Date()),
                               body: Data(example.utf8))
    }

    /// Reads the queue until `count` messages came or 20 s passed; acknowledges them.
    func drain(_ client: AMQPClient, _ queue: String, count: Int) async throws -> [Delivery] {
        try await client.startConsuming(queue)
        var received: [Delivery] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while received.count < count && ContinuousClock.now < deadline {
            let batch = try await client.receive(max: 100, wait: 0.5)
            try await client.ack(batch)
            received += batch
        }
        return received
    }

    @Test func theRelayPublishesWhatTheOutboxHoldsBeforeItReturns() async throws {
        let (schema, pool) = try await scratch()
        let client = AMQPClient(config: TestServers.amqp)
        let key = "shutdown.\(UUID().uuidString.prefix(8)).relay"
        let queue = try await client.declareTemporaryQueue(bindings: [.event(key)])
        let messages = try (0..<25).map { _ in try message(key) }
        try await pool.transaction { try OutboxStore(tx: $0).insert(messages) }
        let relay = OutboxRelay(pool: pool, publisher: ConfirmedPublisher(config: TestServers.amqp, logger: TestServers.logger),
                                logger: TestServers.logger)
        // Told to stop before it looked once: only its last flush can publish these.
        try await testGracefulShutdown { trigger in
            trigger.triggerGracefulShutdown()
            try await relay.run()
        }
        let backlog = try await pool.run { try OutboxStore($0).backlog() }
        #expect(backlog.unsent == 0, "the relay returned with \(backlog.unsent) rows unsent")
        let received = try await drain(client, queue, count: messages.count)
        #expect(Set(received.compactMap(\.properties.messageId)) == Set(messages.compactMap(\.properties.messageId)))
        await client.close()
        await drop(schema)
    }

    @Test func theConsumerStopsBetweenBatchesAndLosesNothing() async throws {
        let (schema, pool) = try await scratch()
        let service = "gs\(UUID().uuidString.prefix(8).lowercased())"
        let key = "\(service).invoice.paid"
        var handlers = HandlerRegistry()
        handlers.on(InvoicePaid.self, boundTo: .event(key)) { _, work in
            usleep(20_000)  // slow enough that the stop comes while letters wait
            try work.transaction.execute("INSERT INTO effects VALUES ($1::uuid)", [.text(work.cause.id)])
        }
        let topology = Topology(service: service, bindings: handlers.bindings)
        let channel = ConsumerChannel(config: TestServers.amqp, topology: topology, prefetch: 10, provision: true, logger: TestServers.logger)
        try await channel.connect()
        let publisher = ConfirmedPublisher(config: TestServers.amqp, logger: TestServers.logger)
        let sent = try (0..<200).map { _ in try message(key) }
        #expect(try await publisher.publish(sent).allSatisfy { $0 == .confirmed })
        let consumer = MessageConsumer(channel: channel, processor: MessageProcessor(service: service, registry: handlers, pool: pool,
                                                                                     logger: TestServers.logger),
                                       publisher: publisher, batchSize: 5, logger: TestServers.logger)
        let handled = { @Sendable in try await pool.query("SELECT count(*) AS n FROM effects").first!.int("n") }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await consumer.run() }
                let started = try await eventually(timeout: 20) { try await handled() >= 10 }
                #expect(started, "the consumer handled nothing")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()  // run returns: it does not wait for the queue to empty
            }
        }
        let done = try await handled()
        #expect(done < 200, "the stop came after everything was handled: the test proved nothing")
        // What it did not take is still in its queue, unacknowledged letters returned to it.
        let client = AMQPClient(config: TestServers.amqp)
        let left = try await drain(client, topology.queue, count: 200 - Int(done))
        let handledIds = Set(try await pool.query("SELECT message_id::text AS id FROM effects").map { try $0.string("id") })
        let leftIds = Set(left.compactMap(\.properties.messageId))
        #expect(handledIds.union(leftIds) == Set(sent.compactMap(\.properties.messageId)), "a message was lost")
        // Each batch is settled (acknowledged) before the loop looks for the stop: none handled is left to come again.
        #expect(handledIds.intersection(leftIds).isEmpty, "handled and still queued: \(handledIds.intersection(leftIds).count)")
        for queue in [topology.queue, topology.deadQueue] + topology.retryDelays.indices.map({ topology.retryQueue(level: $0 + 1) }) {
            try? await client.deleteQueue(queue)
        }
        await client.close()
        await publisher.close()
        await drop(schema)
    }
}
