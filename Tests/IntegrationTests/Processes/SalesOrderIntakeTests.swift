import Contracts
import Foundation
import Messaging
import Storage
import Testing

/// `order.place` published by a plain AMQP client to the real `sales` process, logged in
/// as its own roles, with the demo master data.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct SalesOrderIntakeTests {
    static func salesURL(_ base: String) -> String {
        var c = URLComponents(string: base)!
        c.user = "sales"; c.password = "bizops-dev"
        return c.string!
    }

    func startSales(port: Int) async throws -> ChildProcess {
        try await TestServers.provision()
        let child = try ChildProcess("sales", environment: [
            "AMQP_URL": Self.salesURL(TestServers.amqpURL), "DATABASE_URL": Self.salesURL(TestServers.databaseURL),
            "HTTP_PORT": String(port), "HTTP_HOST": "127.0.0.1"])
        try await child.waitFor("consuming")
        let demo = try String(contentsOf: TestServers.repoRoot.appendingPathComponent("deploy/demo/sales.sql"), encoding: .utf8)
        let pool = PostgresPool(DatabaseConfig(url: Self.salesURL(TestServers.databaseURL), schema: "sales", poolSize: 1))
        try await pool.withConnection { lease in try await lease.run { try $0.exec(demo) } }
        return child
    }

    func placeOrder(_ ref: String, customer: String, lines: String = #"[{"sku":"SKU-001","quantity":120},{"sku":"SKU-003","quantity":1}]"#,
                    messageId: String = UUID().uuidString, replyTo: String? = nil, body: String? = nil) -> OutgoingMessage {
        let json = body ?? """
            {"orderRef":"\(ref)","customerCode":"\(customer)","lines":\(lines),
             "deliveryAddress":{"line1":"88 Century Ave","city":"Shanghai","postalCode":"200120","country":"CN"},
             "requestedDeliveryDate":"2026-12-01"}
            """
        // Like an outside system: no `type`, the routing key says what it is.
        return OutgoingMessage(exchange: Topology.ingress, routingKey: "order.place",
                               properties: MessageProperties(messageId: messageId, appId: "web-shop", timestamp: Date(),
                                                             correlationId: ref, replyTo: replyTo),
                               body: Data(json.utf8))
    }

    @Test func ordersArePricedPlacedOrRejectedWithReasonsAndAnswered() async throws {
        try await TestServers.requireUp()
        let port = freePort()
        let sales = try await startSales(port: port)
        let client = AMQPClient(config: TestServers.amqp)
        let run = UUID().uuidString.prefix(6).lowercased()
        let observer = "test.\(run).sales-events", replies = "test.\(run).replies"
        try await client.declareDurableQueue(observer, bindings: [.event("sales.order.*")])
        try await client.declareDurableQueue(replies, bindings: TestBus.replyBindings(replies))
        let good = "WEB-\(run)-1", unknown = "WEB-\(run)-2", badQty = "WEB-\(run)-3"
        // A customer of its own (the demo's price list, a contract price like C-1001's), so the demo
        // customers' figures in `make run` never count this test's orders.
        let customer = "C-\(run)"
        let created = try await http("http://127.0.0.1:\(port)/customers/\(customer)", method: "PUT",
                                     json: #"{"name":"Intake test","currency":"CNY","contractPrices":{"SKU-003":8200}}"#)
        #expect(created.status == 200, "\(created.body)")
        let sameId = UUID().uuidString
        try await TestBus.send([
            placeOrder(good, customer: customer, messageId: sameId, replyTo: replies),
            placeOrder(good, customer: customer, messageId: sameId, replyTo: replies),   // redelivered duplicate: one order
            placeOrder(unknown, customer: "C-9999"),
            placeOrder(badQty, customer: customer, lines: #"[{"sku":"SKU-001","quantity":0}]"#),
            placeOrder(good, customer: customer),                    // same orderRef, new message: rejected
            placeOrder("WEB-\(run)-bad", customer: customer, body: #"{"orderRef":"x","lines":"many"}"#),
        ])
        let events = try await TestBus.drain(observer, expected: 4, timeout: 30)
        let decoded = events.map { ($0.properties.type ?? "", $0) }
        let placed = try decoded.filter { $0.0 == OrderPlaced.messageType }.map {
            try JSONDecoder.contracts.decode(OrderPlaced.self, from: $0.1.body)
        }
        let rejected = try decoded.filter { $0.0 == OrderRejected.messageType }.map {
            try JSONDecoder.contracts.decode(OrderRejected.self, from: $0.1.body)
        }
        #expect(placed.count == 1)
        // 120 × SKU-001 at the 100+ tier (1100) + 1 × SKU-003 at the customer's contract price (8200).
        #expect(placed.first?.total == Int64(120 * 1100 + 8200))
        #expect(placed.first?.currency == "CNY")
        #expect(Set(rejected.map { "\($0.orderRef) \($0.reasonCode)" }) ==
                ["\(unknown) unknown-customer", "\(badQty) bad-quantity", "\(good) duplicate-order-ref"])
        #expect(events.allSatisfy { $0.properties.appId == "sales" })
        #expect(events.first { $0.properties.type == OrderPlaced.messageType }?.properties.correlationId == good)
        // The sender asked for an answer, twice (same message): the first answer, then the same again.
        let answers = try await TestBus.drain(replies, expected: 2, timeout: 10)
        #expect(answers.count == 2 && answers.allSatisfy { $0.properties.type == OrderPlaced.messageType })
        #expect(Set(answers.map(\.body)).count == 1)
        #expect(answers.filter { $0.properties.headers["x-replayed"] == .bool(true) }.count == 1)
        // The malformed command is dead-lettered with the field named.
        let dead = try await TestBus.drain("sales.dead", expected: 1, timeout: 10)
        #expect(dead.contains { $0.properties.correlationId == "WEB-\(run)-bad"
            && $0.properties.headers["x-dead-letter-reason"] == .string("invalid-field") })
        // The order and its history are readable over HTTP.
        let page = try await http("http://127.0.0.1:\(port)/orders/\(good)")
        #expect(page.status == 200)
        #expect(page.body.contains(#""status":"placed""#) && page.body.contains("sales.order.placed.v1"))
        #expect(try await http("http://127.0.0.1:\(port)/orders/NOPE-\(run)").status == 404)
        sales.signal(SIGTERM)
        #expect(await sales.waitExit() == 0)
        try await client.deleteQueue(observer)
        try await client.deleteQueue(replies)
        await client.close()
    }
}
