import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import SalesService
import Storage
import Testing

/// Sales' handlers and routes, in-process against the real PostgreSQL (a scratch schema per
/// test): intake and pricing, the order's status driven by the departments, the cancellation
/// that waits for the warehouse, and paging.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct SalesInProcessTests {
    func placeOrder(_ ref: String, _ customer: String, sku: String = "S-1", quantity: Int64 = 2) throws -> PlaceOrder {
        try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data("""
            {"orderRef":"\(ref)","customerCode":"\(customer)","lines":[{"sku":"\(sku)","quantity":\(quantity)}],
             "deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-15"}
            """.utf8))
    }

    func masterData(_ sales: ServiceHarness) async throws {
        try await sales.http { client in
            let product = try await client.execute(uri: "/products/S-1", method: .put, body: ByteBuffer(string:
                #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500},{"currency":"CNY","minQuantity":10,"unitPrice":450}]}"#))
            #expect(product.status == .ok)
            let customer = try await client.execute(uri: "/customers/C-1", method: .put, body: ByteBuffer(string: #"{"name":"Test","currency":"CNY"}"#))
            #expect(customer.status == .ok)
            let unknown = try await client.execute(uri: "/customers/C-1", method: .put, body: ByteBuffer(string:
                #"{"name":"Test","currency":"CNY","contractPrices":{"NOPE":1}}"#))
            #expect(unknown.status == .unprocessableContent && (unknown.json["error"] as? [String: Any])?["code"] as? String == "unknown-sku")
        }
    }

    @Test func anOrderIsPricedOrRejectedWithAReasonAndAnswered() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        try await masterData(sales)
        try await sales.deliver(try placeOrder("P-1", "C-1", quantity: 10), replyTo: "tests.answers")
        let placed = try #require(try await sales.outbox("sales.order.placed.v1").first { $0.routingKey == OrderPlaced.routingKey })
        #expect(int64(placed.body["total"]) == 4_500, "the tier for 10 or more")
        try await sales.deliver(try placeOrder("P-1", "C-1"), replyTo: "tests.answers")   // the same reference again
        try await sales.deliver(try placeOrder("P-2", "NOBODY"), replyTo: "tests.answers")
        // Published once on bizops.events, and copied to each sender's reply_to.
        let rejected = try await sales.outbox("sales.order.rejected.v1").filter { $0.routingKey == OrderRejected.routingKey }
            .map { $0.body["reasonCode"] as? String }
        #expect(rejected == ["duplicate-order-ref", "unknown-customer"])
        #expect(try await sales.outbox().filter { $0.routingKey == "tests.answers" }.count == 3, "every order.place answered")
        // A reply_to that is not a queue of the sender (user_id "tests") is not answered: no sender
        // can have sales write into another party's reply queue.
        try await sales.deliver(try placeOrder("P-3", "C-1"), replyTo: "bank-feed.replies")
        #expect(try await sales.outbox("sales.order.placed.v1").contains { $0.body["orderRef"] as? String == "P-3" })
        #expect(try await sales.outbox().filter { $0.routingKey == "bank-feed.replies" }.isEmpty, "answered into another party's queue")
        try await sales.http { client in
            let attempts = try await client.execute(uri: "/orders/P-1", method: .get)
            let orders = (try JSONSerialization.jsonObject(with: Data(attempts.body.readableBytesView)) as? [[String: Any]]) ?? []
            // The rejected attempts come first and the live order last, though the rejected duplicate is
            // the newer one: a reader taking the last entry gets the live order.
            #expect(orders.map { $0["status"] as? String } == ["rejected", "placed"], "\(orders)")
            #expect(orders.first?["reasonCode"] as? String == "duplicate-order-ref")
            #expect(((orders.last?["history"] as? [[String: Any]]) ?? []).first?["event"] as? String == "sales.order.placed.v1")
            let missing = try await client.execute(uri: "/orders/NONE", method: .get)
            #expect(missing.status == .notFound)
        }
        await sales.cleanUp()
    }

    @Test func aCancellationOfAnAcceptedOrderWaitsForTheWarehouseAndAnswersItsSender() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        try await masterData(sales)
        try await sales.deliver(try placeOrder("X-1", "C-1"))
        try await sales.deliver(CreditApproved(CreditDecision(orderRef: "X-1", customerCode: "C-1", exposure: 1_000, creditLimit: 9_000, rating: "A")))
        let accepted = try #require(try await sales.outbox("sales.order.accepted.v1").first)
        #expect((accepted.body["lines"] as? [[String: Any]])?.first?["sku"] as? String == "S-1")
        let cancelId = UUID().uuidString.lowercased()
        try await sales.deliver(CancelOrder(orderRef: "X-1", reason: "changed mind"), messageId: cancelId, correlationId: "web-77", replyTo: "tests.shop")
        #expect(try await sales.outbox("sales.order.cancel_requested.v1").count == 1)
        #expect(try await sales.outbox().filter { $0.routingKey == "tests.shop" }.isEmpty, "no answer until the warehouse released")
        try await sales.deliver(StockReleased(orderRef: "X-1", warehouse: "SH-01", lines: [ItemQuantity(sku: "S-1", quantity: 2)]))
        let answer = try #require(try await sales.pool.query("""
            SELECT message_type, correlation_id, headers->>'causation_id' AS causation FROM outbox WHERE routing_key = 'tests.shop'
            """).first)
        #expect(try answer.string("message_type") == "sales.order.cancelled.v1")
        #expect(try answer.optionalString("correlation_id") == "web-77" && answer.optionalString("causation") == cancelId)
        try await sales.http { client in
            let order = (try JSONSerialization.jsonObject(with: Data(try await client.execute(uri: "/orders/X-1", method: .get).body.readableBytesView))
                         as? [[String: Any]])?.last
            #expect(order?["status"] as? String == "cancelled")
            let again = try await client.execute(uri: "/orders/X-1/cancel", method: .post, body: ByteBuffer(string: "{}"))
            #expect(again.status == .ok && again.json["orderRef"] as? String == "X-1")
        }
        await sales.cleanUp()
    }

    /// More than the largest page, read while orders arrive: every order exactly once.
    @Test func ordersPageWithoutLosingOrRepeatingOne() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        func add(_ count: Int, from start: Int) async throws {
            _ = try await sales.pool.execute("""
                INSERT INTO orders (id, order_ref, customer_code, status, lines, delivery_address)
                SELECT gen_random_uuid(), 'L-' || n, 'C-L', 'placed', '[]', '{"line1":"1","city":"c","postalCode":"p","country":"CN"}'
                FROM generate_series($1::int, $2::int) AS n
                """, [.int(Int64(start)), .int(Int64(start + count - 1))])
        }
        try await add(1_100, from: 1)
        var refs: [String] = [], cursor: String? = nil, pages = 0
        repeat {
            let path = "/orders?customer=C-L&limit=500" + (cursor.map { "&after=\($0)" } ?? "")
            let body = try await sales.http { client in try await client.execute(uri: path, method: .get).body }
            let page = (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
            refs += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["orderRef"] as? String }
            cursor = page["nextCursor"] as? String
            pages += 1
            if pages == 1 { try await add(30, from: 1_101) }
        } while cursor != nil && pages < 10
        #expect(refs.count == 1_130 && Set(refs).count == 1_130, "\(refs.count) orders")
        await sales.cleanUp()
    }

    /// A value the database will never take (U+0000 in a JSON column) is 422 `database-rejected`, not a 500.
    @Test func aValueTheDatabaseRefusesIs422() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        try await masterData(sales)
        let response = try await sales.http { client in
            try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string:
                #"{"orderRef":"N-1","customerCode":"C-1","lines":[{"sku":"S\u0000-1","quantity":1}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-15"}"#))
        }
        #expect(response.status == .unprocessableContent && (response.json["error"] as? [String: Any])?["code"] as? String == "database-rejected",
                "\(response.status) \(response.json)")
        await sales.cleanUp()
    }
}
