import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import LogisticsService
import Messaging
import Storage
import Testing

/// Logistics' handlers and routes, in-process against the real PostgreSQL (a scratch schema
/// per test): stock, its ledger, dispatch and delivery, refusals, cancellation, paging.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct LogisticsInProcessTests {
    static let address = try! JSONDecoder().decode(PlaceOrder.Address.self, from: Data(
        #"{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"}"#.utf8))

    func accepted(_ ref: String, _ lines: [(String, Int64)]) -> OrderAccepted {
        OrderAccepted(orderId: UUID(), orderRef: ref, customerCode: "C-1", currency: "CNY",
                      lines: lines.map { .init(sku: $0.0, quantity: $0.1, unitPrice: 100, lineTotal: 100 * $0.1) },
                      total: lines.reduce(0) { $0 + 100 * $1.1 }, deliveryAddress: Self.address, requestedDeliveryDate: "2026-12-15",
                      releasedBy: nil)
    }

    func setUp(_ logistics: ServiceHarness, stock: Int64) async throws {
        try await logistics.http { client in
            let warehouse = try await client.execute(uri: "/warehouses/SH-01", method: .put,
                                                     body: ByteBuffer(string: #"{"name":"Shanghai","branch":"East"}"#))
            #expect(warehouse.status == .ok)
            let receipt = try await client.execute(uri: "/stock/receipts", method: .post,
                                                   body: ByteBuffer(string: #"{"warehouse":"SH-01","sku":"A","quantity":\#(stock),"reference":"OPEN"}"#))
            #expect(receipt.status == .created)
            let again = try await client.execute(uri: "/stock/receipts", method: .post,
                                                 body: ByteBuffer(string: #"{"warehouse":"SH-01","sku":"A","quantity":\#(stock),"reference":"OPEN"}"#))
            #expect(again.status == .ok && again.json["recorded"] as? Bool == false, "the same receipt counts once")
        }
    }

    @Test func aBackorderFillsOnReceiptAndDispatchWaitsForTheClearance() async throws {
        let logistics = try await ServiceHarness.make(Logistics.spec)
        try await setUp(logistics, stock: 5)
        try await logistics.deliver(accepted("B-1", [("A", 8)]), correlationId: "B-1")
        #expect(try await logistics.outbox("logistics.stock.backordered.v1").count == 1)
        // Backordered: the dispatch is refused (not a dead letter), and sales hears of it.
        let early = try await logistics.deliver(DispatchShipment(orderRef: "B-1"), replyTo: "tests.answers")
        #expect(early.permanent.isEmpty && early.refusals == [.notReady])
        #expect(try await logistics.outbox("logistics.dispatch.refused.v1").first?.body["reasonCode"] as? String == "not-ready")
        let outcome = try await logistics.outbox("bizops.command.outcome.v1").first?.body
        #expect(outcome?["outcome"] as? String == "refused" && outcome?["reasonCode"] as? String == "not-ready")
        // Stock arrives: the backorder is reserved.
        try await logistics.http { client in
            let receipt = try await client.execute(uri: "/stock/receipts", method: .post,
                                                   body: ByteBuffer(string: #"{"warehouse":"SH-01","sku":"A","quantity":10,"reference":"HQ-1"}"#))
            #expect(receipt.status == .created)
        }
        #expect(try await logistics.outbox("logistics.stock.reserved.v1").count == 1)
        // Not cleared by finance yet: refused (awaiting-payment, a refusal that would wait on the bus).
        try await logistics.http { client in
            let refused = try await client.execute(uri: "/orders/B-1/dispatch", method: .post, body: ByteBuffer(string: "{}"))
            #expect(refused.status == .conflict && (refused.json["error"] as? [String: Any])?["code"] as? String == "awaiting-payment")
        }
        try await logistics.deliver(OrderCleared(orderRef: "B-1", customerCode: "C-1", reason: "net-terms"))
        try await logistics.http { client in
            let dispatched = try await client.execute(uri: "/orders/B-1/dispatch", method: .post, body: ByteBuffer(string: #"{"carrier":"SF"}"#))
            #expect(dispatched.status == .ok && dispatched.json["carrier"] as? String == "SF")
            let again = try await client.execute(uri: "/orders/B-1/dispatch", method: .post, body: ByteBuffer(string: "{}"))
            #expect(again.status == .ok && (again.json["note"] as? String ?? "").contains("already"))
            let unsigned = try await client.execute(uri: "/orders/B-1/deliver", method: .post,
                                                    body: ByteBuffer(string: #"{"signedBy":"","signedAt":"2026-12-02T10:00:00Z"}"#))
            #expect(unsigned.status == .badRequest)
            let delivered = try await client.execute(uri: "/orders/B-1/deliver", method: .post,
                                                     body: ByteBuffer(string: #"{"signedBy":"Ms Lin","signedAt":"2026-12-02T10:00:00Z"}"#))
            #expect(delivered.status == .ok && delivered.json["signedBy"] as? String == "Ms Lin")
            let order = try await client.execute(uri: "/orders/B-1", method: .get).json
            #expect(order["status"] as? String == "delivered" && (order["shipment"] as? [String: Any])?["signedBy"] as? String == "Ms Lin")
            let stock = (try await client.execute(uri: "/stock?sku=A", method: .get).json["items"] as? [[String: Any]])?.first
            #expect(int64(stock?["onHand"]) == 7 && int64(stock?["reserved"]) == 0 && int64(stock?["available"]) == 7)
            let ledger = try await client.execute(uri: "/movements?order=B-1", method: .get).json["items"] as? [[String: Any]] ?? []
            #expect(ledger.map { $0["kind"] as? String } == ["reserve", "reserve", "dispatch"])
        }
        await logistics.cleanUp()
    }

    @Test func aCancellationReleasesTheStockOrIsRefusedOnceTheGoodsLeft() async throws {
        let logistics = try await ServiceHarness.make(Logistics.spec)
        try await setUp(logistics, stock: 10)
        try await logistics.deliver(accepted("C-1", [("A", 4)]))
        try await logistics.deliver(OrderCancelRequested(orderRef: "C-1", customerCode: "C-1", reason: "changed mind"))
        let released = try await logistics.outbox("logistics.stock.released.v1")
        #expect(released.count == 1 && ((released.first?.body["lines"] as? [[String: Any]])?.first.map { int64($0["quantity"]) }) == 4)
        // A cancellation that came first: the late acceptance reserves nothing.
        try await logistics.deliver(OrderCancelRequested(orderRef: "C-2", customerCode: "C-1", reason: "early"))
        try await logistics.deliver(accepted("C-2", [("A", 3)]))
        #expect(try await logistics.outbox("logistics.stock.reserved.v1").count == 1, "only C-1 was ever reserved")
        // Dispatched: too late, logistics says so.
        try await logistics.deliver(accepted("C-3", [("A", 2)]))
        try await logistics.deliver(OrderCleared(orderRef: "C-3", customerCode: "C-1", reason: "net-terms"))
        try await logistics.deliver(DispatchShipment(orderRef: "C-3"))
        try await logistics.deliver(OrderCancelRequested(orderRef: "C-3", customerCode: "C-1", reason: "late"))
        #expect(try await logistics.outbox("logistics.cancellation.refused.v1").first?.body["status"] as? String == "dispatched")
        await logistics.cleanUp()
    }

    /// A cancellation that races the acceptance (the order is being written, not yet committed)
    /// is tried again, and then releases what was reserved: never "released" while stock stays held.
    @Test func aCancellationRacingTheAcceptanceIsRetriedNotLost() async throws {
        let logistics = try await ServiceHarness.make(Logistics.spec)
        try await setUp(logistics, stock: 10)
        // The acceptance's transaction, still open while the cancellation comes in.
        async let acceptance: Void = logistics.pool.transaction { tx in
            try tx.execute("INSERT INTO orders (order_ref, customer_code, warehouse, status) VALUES ('RACE-1', 'C-1', 'SH-01', 'reserved')")
            try tx.execute("SELECT pg_sleep(0.5)")
        }
        try await Task.sleep(for: .milliseconds(150))
        let raced = try await logistics.deliver(OrderCancelRequested(orderRef: "RACE-1", customerCode: "C-1", reason: "race"))
        try await acceptance
        #expect(raced.transient.count == 1 && raced.handled.isEmpty, "the cancellation must come back, not be taken as done")
        #expect(try await logistics.outbox("logistics.stock.released.v1").isEmpty)
        try await logistics.deliver(OrderCancelRequested(orderRef: "RACE-1", customerCode: "C-1", reason: "race"))
        #expect(try await logistics.outbox("logistics.stock.released.v1").count == 1)
        #expect(try await logistics.pool.query("SELECT status FROM orders WHERE order_ref = 'RACE-1'").first?.string("status") == "cancelled")
        await logistics.cleanUp()
    }

    /// The whole ledger, more than the largest page, read while movements are added: every row once.
    @Test func theLedgerPagesWithoutLosingOrRepeatingARow() async throws {
        let logistics = try await ServiceHarness.make(Logistics.spec)
        func add(_ count: Int) async throws {
            _ = try await logistics.pool.execute("""
                INSERT INTO movements (warehouse, sku, kind, on_hand_delta) SELECT 'SH-01', 'L', 'adjust', 1 FROM generate_series(1, $1::int)
                """, [.int(Int64(count))])
        }
        try await add(2_100)
        var ids: [Int64] = [], cursor: String? = nil, pages = 0
        repeat {
            let path = "/movements?sku=L&limit=1000" + (cursor.map { "&after=\($0)" } ?? "")
            let body = try await logistics.http { client in try await client.execute(uri: path, method: .get).body }
            let page = (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
            ids += ((page["items"] as? [[String: Any]]) ?? []).compactMap { int64($0["id"]) }
            cursor = page["nextCursor"] as? String
            pages += 1
            if pages == 1 { try await add(50) }
        } while cursor != nil && pages < 10
        #expect(ids.count == 2_150 && Set(ids).count == 2_150 && ids == ids.sorted(), "\(ids.count) rows")
        await logistics.cleanUp()
    }
}
