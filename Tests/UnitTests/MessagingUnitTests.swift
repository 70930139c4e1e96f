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
        // TLS: the CA is required, a client certificate comes with its key, verification cannot be turned off.
        let tls = try AMQPConfig.parse("amqps://u:p@broker/v?cacertfile=/ca.pem&certfile=/c.pem&keyfile=/c.key")
        #expect(tls.port == 5671 && tls.tls == AMQPConfig.TLS(caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/c.key"))
        #expect(tls.redacted == "amqps://u@broker:5671/v")
        #expect(try AMQPConfig.parse("amqp://u:p@h/v").tls == nil)
        for bad in ["amqps://u:p@h/v", "amqps://u:p@h/v?cacertfile=/ca.pem&certfile=/c.pem",
                    "amqps://u:p@h/v?cacertfile=/ca.pem&verify=verify_none", "amqp://u:p@h/v?cacertfile=/ca.pem"] {
            #expect(throws: AMQPConfig.InvalidURL.self, "\(bad)") { try AMQPConfig.parse(bad) }
        }
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
                  contentType: String? = "application/json", headers: [String: HeaderValue] = [:],
                  userId: String? = "webshop", exchange: String = "bizops.ingress") -> Delivery {
        Delivery(deliveryTag: 1, generation: 1, exchange: exchange, routingKey: routingKey, redelivered: false,
                 properties: MessageProperties(messageId: messageId, type: type, userId: userId, contentType: contentType, headers: headers),
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
        // A command names its sender (the broker checks user_id against the login).
        #expect(code(delivery(type: nil, messageId: id, userId: nil)) == .missingUserId)
        #expect(code(delivery(type: nil, messageId: id, userId: "")) == .missingUserId)
        // A body over the limit is refused unread, whatever else is wrong with it; one at the limit is read.
        let padded = #"{"n":1,"pad":""# + String(repeating: "x", count: MessageLimits.maxBodyBytes - 16) + #""}"#
        #expect(padded.utf8.count == MessageLimits.maxBodyBytes)
        #expect(try registry.decode(delivery(type: nil, messageId: id, body: padded)).envelope.type == "test.ping.v1")
        #expect(code(delivery(type: nil, messageId: id, body: padded + " ")) == .messageTooLarge)
        #expect(code(delivery(type: nil, messageId: nil, body: String(repeating: "[", count: MessageLimits.maxBodyBytes + 1))) == .messageTooLarge)
        // Deep nesting within the limit is malformed JSON, not a crash.
        #expect(code(delivery(type: nil, messageId: id, body: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))) == .malformedJSON)
    }

    @Test func retriedMessagesKeepTheirOriginalRoutingKey() throws {
        // Back from the retry queue (the broker routes it through the default exchange by queue name).
        let d = delivery(type: "test.ping.v1", messageId: UUID().uuidString, routingKey: "svc",
                         headers: ["x-original-exchange": .string("bizops.ingress"), "x-original-routing-key": .string("test.ping")],
                         exchange: "")
        let message = try registry.decode(d)
        #expect(message.routingKey == "test.ping")
        #expect(message.exchange == "bizops.ingress")
        // From a sender, those headers are its own words: the names it really came by count.
        let claimed = delivery(type: nil, messageId: UUID().uuidString, headers: ["x-original-exchange": .string("bizops.events")],
                               userId: nil)
        #expect(throws: ContractError.self, "a header does not make a command an event") { try registry.decode(claimed) }
        // A type is handled only on its own route: a sender allowed one key cannot name another type.
        let smuggled = delivery(type: "test.ping.v1", messageId: UUID().uuidString, routingKey: "test.other")
        #expect(throws: ContractError.self, "test.ping.v1 sent as test.other") { try registry.decode(smuggled) }
    }

    /// The sender's user_id moves into a header when the service forwards a message as its own;
    /// headers a sender wrote itself under the kit's names count for nothing.
    @Test func onlyTheKitsOwnRetryHeadersAreTrusted() throws {
        let id = UUID().uuidString.lowercased()
        let forged: [String: HeaderValue] = ["x-original-user-id": .string("bank-feed"), "x-first-attempt-at": .int(0),
                                             "x-retry-count": .int(1), "x-wait-count": .int(99)]
        var fromSender = delivery(type: nil, messageId: id, headers: forged)
        var message = try registry.decode(fromSender)
        #expect(message.userId == "webshop" && !message.fromRetryQueue, "the broker-checked user_id, not the header")
        #expect(throws: ContractError.self, "a forged header does not stand in for a missing user_id") {
            try registry.decode(delivery(type: nil, messageId: id, headers: forged, userId: nil))
        }
        #expect(MessageProcessor.waited(message) == 0, "a sender cannot claim it has waited")
        // Forwarded (to a retry queue): the real user_id, and a fresh first-attempt stamp.
        fromSender = Delivery(deliveryTag: 1, generation: 1, exchange: "bizops.ingress", routingKey: "test.ping", redelivered: false,
                              properties: MessageProperties(messageId: id, userId: "webshop", headers: forged), body: Data(#"{"n":1}"#.utf8))
        let now = Date()
        let forwarded = fromSender.forwardedProperties(type: "test.ping.v1", now: now)
        #expect(forwarded.userId == nil, "only the sender's own connection may carry user_id")
        #expect(forwarded.headers["x-original-user-id"] == .string("webshop"))
        #expect(forwarded.headers["x-first-attempt-at"]?.intValue == Int64(now.timeIntervalSince1970 * 1000))
        #expect(forwarded.headers["x-original-exchange"] == .string("bizops.ingress"))
        // Back from the retry queue (the default exchange): now the kit's headers count.
        let back = Delivery(deliveryTag: 2, generation: 1, exchange: "", routingKey: "svc", redelivered: false,
                            properties: forwarded, body: fromSender.body)
        message = try registry.decode(back)
        #expect(message.fromRetryQueue && message.userId == "webshop" && message.routingKey == "test.ping")
        #expect(MessageProcessor.waited(message, now: now.addingTimeInterval(12)) >= 11.9)
        #expect(back.forwardedProperties(type: "test.ping.v1").headers["x-first-attempt-at"] == forwarded.headers["x-first-attempt-at"],
                "the first attempt stays the first across retries")
        // A sender without user_id cannot smuggle one in through its first retry.
        let anonymous = delivery(type: nil, messageId: id, headers: forged, userId: nil).forwardedProperties(type: "test.ping.v1")
        #expect(anonymous.headers["x-original-user-id"] == nil)
    }

    /// An event's actor is the `x-actor` its publishing service set (only services publish events),
    /// and it survives a retry; on a command the header is the sender's own words: its user_id counts.
    @Test func theActorHeaderIsTrustedOnEventsOnlyAndSurvivesARetry() throws {
        var events = HandlerRegistry()
        events.on(Ping.self, boundTo: .event("sales.ping")) { _, _ in }
        let id = UUID().uuidString.lowercased()
        let event = delivery(type: "test.ping.v1", messageId: id, routingKey: "sales.ping", headers: ["x-actor": .string("webshop")],
                             userId: "sales", exchange: "bizops.events")
        #expect(try events.decode(event).actor == "webshop")
        #expect(try events.decode(delivery(type: "test.ping.v1", messageId: id, routingKey: "sales.ping", userId: "sales",
                                           exchange: "bizops.events")).actor == "sales", "without the header: the publisher")
        let command = delivery(type: nil, messageId: id, headers: ["x-actor": .string("chen.jie")])
        #expect(try registry.decode(command).actor == "webshop", "a command cannot name someone else as its actor")
        // Through the service's own retry queue: the original exchange, and the header with it.
        let back = Delivery(deliveryTag: 2, generation: 1, exchange: "", routingKey: "svc", redelivered: false,
                            properties: event.forwardedProperties(type: "test.ping.v1"), body: event.body)
        #expect(try events.decode(back).actor == "webshop")
        let retriedCommand = Delivery(deliveryTag: 3, generation: 1, exchange: "", routingKey: "svc", redelivered: false,
                                      properties: command.forwardedProperties(type: "test.ping.v1"), body: command.body)
        #expect(try registry.decode(retriedCommand).actor == "webshop")
    }

    @Test func derivedIdsAreStableAndDistinct() {
        #expect(UUID(derivedFrom: "refusal/a/not-ready") == UUID(derivedFrom: "refusal/a/not-ready"))
        #expect(UUID(derivedFrom: "refusal/a/not-ready") != UUID(derivedFrom: "refusal/a/awaiting-payment"))
        #expect(UUID(derivedFrom: "refusal/a/not-ready") != UUID(derivedFrom: "refusal/b/not-ready"))
        #expect(UUID(derivedFrom: "x").uuidString.dropFirst(14).first == "8", "a version 8 UUID")
    }
}
