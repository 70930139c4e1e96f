import Contracts
import Foundation
import Testing
@testable import Messaging

private struct Ping: MessageContract { static let messageType = "test.ping.v1"; let n: Int64 }

@Suite struct MessagingUnitTests {
    @Test func parsesAMQPURLs() throws {
        let full = try AMQPConfig.parse("amqp://sales:s%40cret@broker.local:5673/bizops?heartbeat=10")
        #expect(full == AMQPConfig(host: "broker.local", port: 5673, user: "sales", password: "s@cret", vhost: "bizops", heartbeat: 10))
        #expect(try AMQPConfig.parse("amqp://u:p@h").vhost == "/")
        #expect(try AMQPConfig.parse("amqp://u:p@h/%2F").vhost == "/")
        #expect(throws: AMQPConfig.InvalidURL.self) { try AMQPConfig.parse("http://h/") }
        #expect(throws: AMQPConfig.InvalidURL.self) { try AMQPConfig.parse("amqp:///vhost") }
        #expect(throws: AMQPConfig.InvalidURL.self) { try AMQPConfig.parse("not a url at all") }
        #expect(try AMQPConfig.parse("amqp://u:secret@h:1/v").redacted == "amqp://u@h:1/v")
    }

    @Test func oneMultipleAckOnlyWhenItSettlesNothingStillOpen() {
        // Tags 1–5 received; acking 2–5 while 1 is still open must not sweep 1 along.
        #expect(ConsumerChannel.multipleLimit([2, 3, 4, 5], unsettled: [1, 2, 3, 4, 5]) == nil)
        // Once 1 was requeued (settled), one multiple-ack up to 5 is exact.
        #expect(ConsumerChannel.multipleLimit([2, 3, 4, 5], unsettled: [2, 3, 4, 5]) == 5)
        // A gap (3 failed and is still open) means tag-by-tag.
        #expect(ConsumerChannel.multipleLimit([1, 2, 4], unsettled: [1, 2, 3, 4]) == nil)
        // A later open tag does not matter; a single tag is acked alone.
        #expect(ConsumerChannel.multipleLimit([1, 2], unsettled: [1, 2, 9]) == 2)
        #expect(ConsumerChannel.multipleLimit([7], unsettled: [7]) == nil)
    }

    @Test func retryQueuesFollowTheAttempt() {
        let t = Topology(service: "sales", bindings: [], retryDelays: [1_000, 5_000, 30_000])
        #expect(t.retryQueue(forAttempt: 1) == "sales.retry.1")
        #expect(t.retryQueue(forAttempt: 3) == "sales.retry.3")
        #expect(t.retryQueue(forAttempt: 9) == "sales.retry.3")
        #expect(t.deadQueue == "sales.dead")
    }

    @Test func headersRoundTripThroughTheOutbox() {
        let headers: [String: HeaderValue] = ["a": .string("x"), "n": .int(7), "b": .bool(true), "f": .bool(false), "z": .int(0)]
        #expect(HeaderCodec.decode(HeaderCodec.encode(headers)) == headers)
        #expect(HeaderCodec.decode("not json") == [:])
    }

    func delivery(type: String?, messageId: String?, routingKey: String = "test.ping", body: String = #"{"n":1}"#,
                  contentType: String? = "application/json", headers: [String: HeaderValue] = [:]) -> Delivery {
        Delivery(deliveryTag: 1, generation: 1, exchange: "bizops.ingress", routingKey: routingKey, redelivered: false,
                 properties: MessageProperties(messageId: messageId, type: type, contentType: contentType, headers: headers),
                 body: Data(body.utf8))
    }

    var registry: HandlerRegistry {
        var r = HandlerRegistry()
        r.on(Ping.self, boundTo: .command("test.ping")) { _, _ in }
        return r
    }

    @Test func decodingChecksTheEnvelope() throws {
        let id = UUID().uuidString
        #expect(try registry.decode(delivery(type: "test.ping.v1", messageId: id)).envelope.type == "test.ping.v1")
        // Outside systems may leave `type` out: the routing key names it, as version 1.
        #expect(try registry.decode(delivery(type: nil, messageId: id)).envelope.type == "test.ping.v1")
        func code(_ d: Delivery) -> ContractError.Code? {
            do { _ = try registry.decode(d); return nil } catch let e as ContractError { return e.code } catch { return nil }
        }
        #expect(code(delivery(type: nil, messageId: nil)) == .invalidEnvelope)
        #expect(code(delivery(type: nil, messageId: "42")) == .invalidEnvelope)
        #expect(code(delivery(type: "test.pong.v1", messageId: id)) == .unknownType)
        #expect(code(delivery(type: nil, messageId: id, contentType: "text/xml")) == .invalidEnvelope)
        #expect(code(delivery(type: nil, messageId: id, body: "{")) == .malformedJSON)
        #expect(code(delivery(type: nil, messageId: id, body: #"{"n":"one"}"#)) == .invalidField)
    }

    @Test func retriedMessagesKeepTheirOriginalRoutingKey() throws {
        let d = delivery(type: "test.ping.v1", messageId: UUID().uuidString, routingKey: "svc",
                         headers: ["x-original-exchange": .string("bizops.ingress"), "x-original-routing-key": .string("test.ping")])
        let message = try registry.decode(d)
        #expect(message.routingKey == "test.ping")
        #expect(message.exchange == "bizops.ingress")
    }
}
