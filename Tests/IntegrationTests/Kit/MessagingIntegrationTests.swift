import Foundation
import Messaging
import Storage
import Testing

@Suite(.serialized, .enabled(if: TestServers.enabled)) struct MessagingIntegrationTests {
    init() async throws { try await TestServers.requireUp() }

    @Test func confirmedPublishAndAckedConsumeRoundTrip() async throws {
        let client = AMQPClient(config: TestServers.amqp)
        let key = "roundtrip.\(UUID().uuidString.prefix(8))"
        let queue = try await client.declareTemporaryQueue(bindings: [.event(key)])
        let publisher = ConfirmedPublisher(config: TestServers.amqp, logger: TestServers.logger)
        let messages = (0..<1_000).map { n in
            OutgoingMessage(exchange: Topology.events, routingKey: key,
                            properties: MessageProperties(messageId: UUID().uuidString, type: "test.v1", appId: "tests",
                                                          timestamp: Date(), correlationId: "c-\(n)",
                                                          headers: ["n": .int(Int64(n)), "flag": .bool(n % 2 == 0), "s": .string("x")]),
                            body: Data(#"{"n":\#(n)}"#.utf8))
        }
        let outcomes = try await publisher.publish(messages)
        #expect(outcomes.allSatisfy { $0 == .confirmed })
        try await client.startConsuming(queue)
        var received: [Delivery] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while received.count < 1_000 && ContinuousClock.now < deadline {
            let batch = try await client.receive(max: 500, wait: 0.5)
            try await client.ack(batch)
            received += batch
        }
        #expect(received.count == 1_000)
        #expect(Set(received.compactMap(\.properties.messageId)) == Set(messages.compactMap(\.properties.messageId)))
        let first = try #require(received.first { $0.properties.correlationId == "c-7" })
        #expect(first.properties.headers["n"] == .int(7))
        #expect(first.properties.headers["flag"] == .bool(false))
        #expect(first.properties.type == "test.v1")
        #expect(first.properties.persistent)
        #expect(first.body == Data(#"{"n":7}"#.utf8))
        await publisher.close()
        await client.close()
    }

    @Test func unroutableMessagesAreReturned() async throws {
        let publisher = ConfirmedPublisher(config: TestServers.amqp, logger: TestServers.logger)
        let message = OutgoingMessage(exchange: "", routingKey: "no-such-queue-\(UUID())",
                                      properties: MessageProperties(messageId: "m-1"), body: Data("{}".utf8))
        let ok = OutgoingMessage(exchange: Topology.events, routingKey: "nobody.listens.here",
                                 properties: MessageProperties(messageId: "m-2"), body: Data("{}".utf8))
        let outcomes = try await publisher.publish([message, ok])
        guard case .returned(let reason) = outcomes[0] else { Issue.record("expected a return, got \(outcomes[0])"); return }
        #expect(reason.contains("NO_ROUTE"))
        // Events nobody binds are caught by the alternate exchange instead of vanishing.
        #expect(outcomes[1] == .confirmed)
        await publisher.close()
    }
}
