import Foundation
import Messaging
import Testing

/// Least privilege on the bus, proven against the real broker with the users and permissions
/// of deploy/rabbitmq/definitions.json: each refusal is the broker's own (403 ACCESS_REFUSED,
/// 406 PRECONDITION_FAILED), not the services' good manners.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct BusPermissionTests {
    static func config(_ user: String) throws -> AMQPConfig { try TestBus.config(user) }

    /// The broker's reply code when `user` publishes this (nil: it was accepted).
    static func publishing(_ user: String, _ exchange: String, _ key: String, userId: String? = nil,
                           headers: [String: HeaderValue] = [:]) async -> Int? {
        let publisher = ConfirmedPublisher(config: try! config(user), name: "permission test \(user)", logger: TestServers.logger)
        defer { Task { await publisher.close() } }
        let message = OutgoingMessage(exchange: exchange, routingKey: key,
                                      properties: MessageProperties(messageId: UUID().uuidString.lowercased(), appId: "permission-test",
                                                                    userId: userId ?? user, correlationId: "permission-test",
                                                                    headers: headers),
                                      body: Data("{}".utf8))
        do { _ = try await publisher.publish([message]); return nil } catch let error as AMQPError { return error.code } catch { return -1 }
    }

    /// The broker's reply code when `user` does `operation` with a client of its own (nil: allowed).
    static func doing(_ user: String, _ operation: (AMQPClient) async throws -> Void) async -> Int? {
        let client = AMQPClient(config: try! config(user), name: "permission test \(user)")
        defer { Task { await client.close() } }
        do { try await operation(client); return nil } catch let error as AMQPError { return error.code } catch { return -1 }
    }

    @Test func aServicePublishesOnlyItsOwnEventsAndReachesNoOtherQueue() async throws {
        try await TestServers.requireUp()
        try await TestServers.provision()
        // Its own prefix on bizops.events: accepted (no queue binds this key; the sweeper counts it).
        #expect(await Self.publishing("finance", Topology.events, "finance.permission-probe") == nil)
        // Another department's event, a command, any other party's queue by any exchange: refused.
        #expect(await Self.publishing("finance", Topology.events, "sales.order.completed") == 403)
        #expect(await Self.publishing("finance", Topology.ingress, "payment.record") == 403)
        #expect(await Self.publishing("finance", "", "risk") == 403)
        #expect(await Self.publishing("finance", Topology.internalRoutes, "risk.retry.1") == 403)
        #expect(await Self.publishing("finance", Topology.internalRoutes, "risk.dead") == 403)
        #expect(await Self.publishing("finance", Topology.deadLetters, "risk") == 403)
        // It reads only its own queue...
        #expect(await Self.doing("finance") { try await $0.startConsuming("risk") } == 403)
        #expect(await Self.doing("finance") { try await $0.startConsuming("risk.dead") } == 403)
        #expect(await Self.doing("finance") { try await $0.startConsuming("webshop.replies") } == 403)
        #expect(await Self.doing("finance") { try await $0.startConsuming("finance") } == nil)
        // ...and declares, binds and deletes nothing: no exchange or queue of its own to build a
        // route around these rules with (an exchange bound into another, a queue that dead-letters
        // into someone else's), and no shared exchange to delete.
        #expect(await Self.doing("finance") { try await $0.declareDurableQueue("finance.sneak", bindings: []) } == 403)
        #expect(await Self.doing("finance") { try await $0.declareDurableQueue("finance", bindings: [.event("sales.#")]) } == 403)
        #expect(await Self.doing("finance") { try await $0.declareSharedExchanges() } == 403)
        #expect(await Self.doing("finance") { try await $0.deleteQueue("risk") } == 403)
    }

    @Test func anOutsideSystemSendsOnlyItsOwnCommandsAndReadsOnlyItsOwnQueue() async throws {
        try await TestServers.requireUp()
        try await TestServers.provision()
        // The bank feed may send payment.record (finance will dead-letter this empty one)...
        #expect(await Self.publishing("bank-feed", Topology.ingress, "payment.record") == nil)
        // ...but not another system's command, an event, or anything through another exchange.
        #expect(await Self.publishing("bank-feed", Topology.ingress, "order.place") == 403)
        #expect(await Self.publishing("bank-feed", Topology.events, "finance.payment.received") == 403)
        #expect(await Self.publishing("bank-feed", Topology.replies, "webshop.replies") == 403)
        #expect(await Self.publishing("bank-feed", "", "finance") == 403)
        // It reads its own reply queue (provisioned for it), no service's and no other system's;
        // it declares nothing, so it cannot bind itself to anyone's answers either.
        #expect(await Self.doing("bank-feed") { try await $0.startConsuming(Topology.replyQueue(of: "bank-feed")) } == nil)
        #expect(await Self.doing("bank-feed") { try await $0.startConsuming("finance") } == 403)
        #expect(await Self.doing("bank-feed") { try await $0.startConsuming("webshop.replies") } == 403)
        #expect(await Self.doing("bank-feed") { try await $0.declareDurableQueue("bank-feed.more", bindings: []) } == 403)
        #expect(await Self.doing("bank-feed") {
            try await $0.declareDurableQueue("bank-feed.replies", bindings: [.replies(to: "webshop.replies")])
        } == 403)
    }

    /// A message meant for one outside system (a payment instruction for the bank, a purchase
    /// order for one supplier) reaches that system's inbox alone, which only it may read.
    @Test func aMessageForOneOutsideSystemReachesOnlyItsInbox() async throws {
        try await TestServers.requireUp()
        try await TestServers.provision()
        let admin = AMQPClient(config: TestServers.amqp, name: "tests inbox")
        defer { Task { await admin.close() } }
        for system in ["bank-feed", "webshop"] { try await admin.purge(Topology.inbox(of: system)) }
        let forBank: [String: HeaderValue] = [Topology.recipientHeader: .string("bank-feed")]
        #expect(await Self.publishing("finance", Topology.direct, "finance.payment_instruction.sent", headers: forBank) == nil)
        var waited = 0
        while try await admin.messageCount(Topology.inbox(of: "bank-feed")) == 0, waited < 50 {
            try await Task.sleep(for: .milliseconds(100)); waited += 1
        }
        #expect(try await admin.messageCount(Topology.inbox(of: "bank-feed")) == 1)
        #expect(try await admin.messageCount(Topology.inbox(of: "webshop")) == 0, "another system's inbox gets nothing")
        // Only the recipient reads its inbox; no outside system sends on the directed path.
        #expect(await Self.doing("bank-feed") { try await $0.startConsuming(Topology.inbox(of: "bank-feed")) } == nil)
        #expect(await Self.doing("webshop") { try await $0.startConsuming(Topology.inbox(of: "bank-feed")) } == 403)
        #expect(await Self.publishing("webshop", Topology.direct, "finance.payment_instruction.sent", headers: forBank) == 403)
        try await admin.purge(Topology.inbox(of: "bank-feed"))
        // A recipient nobody provisioned: kept in bizops.unrouted (or dead-lettered from there by
        // sales' sweeper, when it runs), never dropped.
        func unrouted() async throws -> Int {
            try await admin.messageCount(Topology.unrouted) + admin.messageCount(Topology.unroutedDead)
        }
        let before = try await unrouted()
        #expect(await Self.publishing("finance", Topology.direct, "finance.payment_instruction.sent",
                                      headers: [Topology.recipientHeader: .string("nobody-\(UUID().uuidString.prefix(8))")]) == nil)
        waited = 0
        while try await unrouted() == before, waited < 50 { try await Task.sleep(for: .milliseconds(100)); waited += 1 }
        #expect(try await unrouted() == before + 1, "a directed message for nobody is kept where an operator sees it")
    }

    /// Answers go only to a queue of the command's sender (`<user_id>.…`): the web shop cannot
    /// have sales answer into the bank feed's reply queue.
    @Test func anAnswerGoesOnlyToAQueueOfTheSender() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        try await TestServers.provision()
        let mine = "bizops.\(probe.id).replies", theirs = Topology.replyQueue(of: "bank-feed")
        try await probe.client.declareDurableQueue(mine, bindings: [.replies(to: mine)])
        try await probe.client.purge(theirs)
        // Handled once; sent again asking for answers (the probe answers repeats): to the bank
        // feed's queue, which is not the sender's, and to the sender's own.
        let id = UUID().uuidString.lowercased()
        try await TestBus.send([probe.command(seq: 1, messageId: id)], as: "bizops")
        #expect(try await eventually { try await probe.effects() == 1 })
        try await TestBus.send([probe.command(seq: 1, messageId: id, replyTo: theirs)], as: "bizops")
        try await TestBus.send([probe.command(seq: 1, messageId: id, replyTo: mine)], as: "bizops")
        #expect(try await probe.drain(mine, expected: 1).count == 1)
        #expect(try await probe.client.messageCount(theirs) == 0, "an answer reached another party's reply queue")
        try await probe.client.deleteQueue(mine)
        await service.stop()
        await probe.cleanUp()
    }

    @Test func aForgedUserIdClosesTheChannel() async throws {
        try await TestServers.requireUp()
        // The web shop claims to be the bank feed: the broker checks user_id against the login.
        #expect(await Self.publishing("webshop", Topology.ingress, "order.place", userId: "bank-feed") == 406)
        #expect(await Self.publishing("webshop", Topology.ingress, "order.place", userId: "webshop") == nil)
    }

    @Test func aCommandWithoutUserIdIsDeadLetteredWithItsReason() async throws {
        let probe = try await Probe.make()
        let service = try await probe.serve()
        let replies = "test.\(probe.id).replies"
        try await probe.client.declareDurableQueue(replies, bindings: TestBus.replyBindings(replies) + [.replies(to: replies)])
        var unsigned = probe.command(seq: 1, replyTo: replies)
        unsigned.properties.userId = nil
        try await TestBus.send([unsigned], as: "bizops")  // exactly as given: no user_id
        let dead = try #require(try await probe.drain("\(probe.id).dead", expected: 1).first)
        #expect(dead.properties.headers["x-dead-letter-reason"]?.description == "missing-user-id")
        // Nobody can say whose reply queue it names, so it gets no answer.
        #expect(try await probe.drain(replies, expected: 1, timeout: 3).isEmpty)
        #expect(try await probe.effects() == 0)
        try await probe.client.deleteQueue(replies)
        await service.stop()
        await probe.cleanUp()
    }
}

extension BusPermissionTests {
    /// The local broker (deploy/local/infra.sh) carries exactly the rules the containers load.
    @Test func theBrokerHoldsExactlyThePermissionsOfTheDefinitions() async throws {
        try await TestServers.requireUp()
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: TestServers.repoRoot
            .appendingPathComponent("deploy/rabbitmq/definitions.json"))) as! [String: Any]
        func rules(_ list: Any?, _ keys: [String], on vhost: String) -> Set<[String]> {
            Set(((list as? [[String: Any]]) ?? []).filter { $0["vhost"] as? String == vhost }.map { row in keys.map { "\(row[$0] ?? "")" } })
        }
        let management = "http://bizops:bizops-dev@127.0.0.1:15672/api"
        let permissions = try JSONSerialization.jsonObject(with: Data(try await http("\(management)/permissions").body.utf8))
        let topics = try JSONSerialization.jsonObject(with: Data(try await http("\(management)/topic-permissions").body.utf8))
        let vhostKeys = ["user", "configure", "write", "read"], topicKeys = ["user", "exchange", "write", "read"]
        // The system's vhost (what `make run` uses) and the tests' own (infra.sh test-space copies it).
        for vhost in ["bizops", TestServers.vhost] {
            #expect(rules(permissions, vhostKeys, on: vhost) == rules(file["permissions"], vhostKeys, on: "bizops"), "vhost \(vhost)")
            #expect(rules(topics, topicKeys, on: vhost) == rules(file["topic_permissions"], topicKeys, on: "bizops"), "vhost \(vhost)")
        }
    }
}
