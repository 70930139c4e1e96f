import Foundation
import Messaging
import Testing

/// What an operator's tool that holds messages (bizctl dead) relies on, against the real
/// broker: a removal on a connection that dropped fails instead of passing for done, even
/// after the client has reconnected (the new connection's tags are other messages); a
/// connection kept alive holds its messages past the heartbeat; a stopped consumer gets
/// nothing more while what it holds stays its own.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct HeldDeliveryTests {
    init() async throws { try await TestServers.requireUp() }

    /// A durable queue holding `count` messages, read by a client with a one-second heartbeat.
    func queueWith(_ count: Int) async throws -> (queue: String, admin: AMQPClient, reader: AMQPClient) {
        let admin = AMQPClient(config: TestServers.amqp, name: "held-deliveries admin")
        let queue = "held-\(UUID().uuidString.prefix(8))"
        try await admin.declareDurableQueue(queue, bindings: [], expiresAfter: .seconds(600))
        for n in 0..<count {
            try await admin.send(OutgoingMessage(exchange: "", routingKey: queue,
                                                 properties: MessageProperties(messageId: "m-\(n)", type: "test.v1", appId: "tests"),
                                                 body: Data("{}".utf8)))
        }
        #expect(try await eventually(timeout: 10) { try await admin.messageCount(queue) == count })
        var config = TestServers.amqp
        config.heartbeat = 1
        return (queue, admin, AMQPClient(config: config, name: "held-deliveries reader"))
    }

    func receive(_ reader: AMQPClient, _ queue: String, _ count: Int) async throws -> [Delivery] {
        try await reader.startConsuming(queue, prefetch: 100)
        var got: [Delivery] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while got.count < count, ContinuousClock.now < deadline { got += try await reader.receive(max: 100, wait: 0.2) }
        return got
    }

    @Test func removingWhatADroppedConnectionHeldFailsAndTheMessagesStayQueued() async throws {
        let (queue, admin, reader) = try await queueWith(3)
        let held = try await receive(reader, queue, 3)
        #expect(held.count == 3)
        // Silent for several heartbeats: the broker gives the connection up and takes its messages back.
        try await Task.sleep(for: .seconds(5))
        await #expect(throws: (any Error).self) { try await reader.ackEach(held) }
        // Connected again (a fresh connection, whose delivery tags 1...3 would be other messages):
        // the old holdings still cannot be settled on it.
        let again = try await receive(reader, queue, 3)
        #expect(again.count == 3, "the broker put back what the lost connection held")
        await #expect(throws: (any Error).self) { try await reader.ackEach(held) }
        #expect(try await admin.messageCount(queue) == 0, "the three are held by the new connection, not removed")
        await reader.close()
        #expect(try await eventually(timeout: 10) { try await admin.messageCount(queue) == 3 }, "nothing was lost")
        try await admin.deleteQueue(queue)
        await admin.close()
    }

    @Test func whatCrossedTheStopIsStillReceivedAndNothingIsLost() async throws {
        let (queue, admin, reader) = try await queueWith(500)
        try await reader.startConsuming(queue, prefetch: 500)
        var got = try await reader.receive(max: 5, wait: 5)
        #expect(!got.isEmpty)
        try await reader.stopConsuming()
        // Deliveries already sent before the broker took the cancel are still read, none twice.
        while case let batch = try await reader.receive(max: 100, wait: 0), !batch.isEmpty { got += batch }
        #expect(Set(got.map(\.deliveryTag)).count == got.count)
        let left = try await admin.messageCount(queue)
        #expect(got.count + left == 500, "held \(got.count), queued \(left)")
        try await reader.ackEach(got)
        #expect(try await admin.messageCount(queue) == left)
        await reader.close()
        try await admin.deleteQueue(queue)
        await admin.close()
    }

    @Test func aConnectionKeptAliveHoldsItsMessagesPastTheHeartbeatAndRemovesThemForSure() async throws {
        let (queue, admin, reader) = try await queueWith(2)
        let held = try await receive(reader, queue, 2)
        #expect(held.count == 2)
        try await reader.stopConsuming()
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(250))
            try await reader.keepAlive(holding: held.map(\.handle))
        }
        try await reader.requeue([held[1].handle])
        #expect(try await reader.receive(max: 10, wait: 1).isEmpty, "a stopped consumer is sent nothing, not even what it put back")
        try await reader.ackEach(held.prefix(1).map(\.handle))
        #expect(try await admin.messageCount(queue) == 1, "one removed for sure, the one put back is in the queue")
        await reader.close()
        try await admin.deleteQueue(queue)
        await admin.close()
    }
}
