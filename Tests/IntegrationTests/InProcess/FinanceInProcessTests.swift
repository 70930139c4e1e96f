import Contracts
import FinanceService
import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import Storage
import Testing

/// Finance's handlers and routes, in-process against the real PostgreSQL (a scratch schema per
/// test): invoices on the customer's terms, the clearance for dispatch, payments, the books.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct FinanceInProcessTests {
    static let address = try! JSONDecoder().decode(PlaceOrder.Address.self, from: Data(
        #"{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"}"#.utf8))

    func accepted(_ ref: String, _ customer: String, total: Int64) -> OrderAccepted {
        OrderAccepted(orderId: UUID(), orderRef: ref, customerCode: customer, currency: "CNY",
                      lines: [.init(sku: "A", quantity: 1, unitPrice: total, lineTotal: total)], total: total,
                      deliveryAddress: Self.address, requestedDeliveryDate: "2026-12-15", releasedBy: nil)
    }

    @Test func aDepositClearsTheGoodsOnlyOncePaidAndTheBooksBalance() async throws {
        let finance = try await ServiceHarness.make(Finance.spec)
        try await finance.http { client in
            let terms = try await client.execute(uri: "/customers/D-1/terms", method: .put,
                                                 body: ByteBuffer(string: #"{"kind":"deposit","depositPercent":30,"netDays":15}"#))
            #expect(terms.status == .ok)
            let bad = try await client.execute(uri: "/customers/D-1/terms", method: .put, body: ByteBuffer(string: #"{"kind":"barter"}"#))
            #expect(bad.status == .badRequest)
        }
        try await finance.deliver(accepted("DEP-1", "D-1", total: 10_000))
        #expect(try await finance.outbox("finance.order.cleared.v1").isEmpty, "no goods before the deposit")
        let deposit = try #require(try await finance.outbox("finance.deposit.requested.v1").first)
        #expect(int64(deposit.body["amount"]) == 3_000)
        let number = try #require(deposit.body["invoiceNumber"] as? String)
        try await finance.deliver(RecordPayment(amount: 1_000, currency: "CNY", invoiceNumber: number, orderRef: nil, bankReference: "B-1",
                                                valueDate: BusinessDate("2026-12-02")!, payer: nil))
        #expect(try await finance.outbox("finance.order.cleared.v1").isEmpty, "a part payment clears nothing")
        try await finance.deliver(RecordPayment(amount: 2_000, currency: "CNY", invoiceNumber: number, orderRef: nil, bankReference: "B-2",
                                                valueDate: BusinessDate("2026-12-02")!, payer: nil))
        #expect(try await finance.outbox("finance.order.cleared.v1").first?.body["reason"] as? String == "advance-paid")
        try await finance.http { client in
            let invoice = try await client.execute(uri: "/invoices/\(number)", method: .get).json
            #expect(invoice["status"] as? String == "paid" && (invoice["allocations"] as? [Any])?.count == 2)
            let conflicting = try await client.execute(uri: "/payments", method: .post, body: ByteBuffer(string:
                #"{"amount":5,"currency":"CNY","invoiceNumber":"\#(number)","bankReference":"B-1","valueDate":"2026-12-02"}"#))
            #expect(conflicting.status == .conflict && (conflicting.json["error"] as? [String: Any])?["code"] as? String == "conflicting-payment")
            let trial = try await client.execute(uri: "/trial-balance", method: .get).json["lines"] as? [[String: Any]] ?? []
            #expect(!trial.isEmpty && trial.reduce(Int64(0)) { $0 + (int64($1["balance"]) ?? 0) } == 0, "debits equal credits")
            let account = try await client.execute(uri: "/customers/D-1/account?asOf=2026-12-20", method: .get).json
            #expect(int64(account["outstanding"]) == 0 && (account["openInvoices"] as? [Any])?.isEmpty == true)
            let badDay = try await client.execute(uri: "/customers/D-1/account?asOf=yesterday", method: .get)
            #expect(badDay.status == .badRequest)
        }
        await finance.cleanUp()
    }

    @Test func netTermsClearAtOnceAndAnInvoiceFollowsTheSignedDelivery() async throws {
        let finance = try await ServiceHarness.make(Finance.spec)
        try await finance.deliver(accepted("NET-1", "N-1", total: 4_200))
        #expect(try await finance.outbox("finance.order.cleared.v1").first?.body["reason"] as? String == "net-terms")
        let delivered = ShipmentDelivered(orderRef: "NET-1", shipmentId: UUID(), signedBy: "Ms Lin",
                                          signedAt: try Validate.timestamp("2026-12-01T09:30:00Z", "t"))
        try await finance.deliver(delivered)
        try await finance.deliver(delivered)  // the same fact again
        let issued = try await finance.outbox("finance.invoice.issued.v1")
        #expect(issued.count == 1 && issued.first?.body["kind"] as? String == "final" && issued.first?.body["dueDate"] as? String == "2026-12-31")
        // A delivery for an order finance has not seen waits (retried), it is not lost or dead.
        let early = try await finance.deliver(ShipmentDelivered(orderRef: "NOT-YET", shipmentId: UUID(), signedBy: "x",
                                                                signedAt: Date()))
        #expect(early.transient.count == 1 && early.permanent.isEmpty)
        await finance.cleanUp()
    }

    /// The whole journal, more than the largest page, read while entries are posted: every entry once.
    @Test func theJournalPagesWithoutLosingOrRepeatingAnEntry() async throws {
        let finance = try await ServiceHarness.make(Finance.spec)
        func post(_ count: Int) async throws {
            _ = try await finance.pool.execute("""
                WITH e AS (INSERT INTO journal_entries (entry_date, memo, reference, currency)
                           SELECT '2026-12-01', 'load ' || n, 'LOAD', 'CNY' FROM generate_series(1, $1::int) AS n RETURNING id)
                INSERT INTO journal_lines (entry_id, account, debit, credit)
                SELECT id, a, d, c FROM e, (VALUES ('1000 Bank', 1, 0), ('4000 Sales revenue', 0, 1)) AS l(a, d, c)
                """, [.int(Int64(count))])
        }
        try await post(2_050)
        var ids: [Int64] = [], cursor: String? = nil, pages = 0
        repeat {
            let path = "/journal?reference=LOAD&limit=1000" + (cursor.map { "&after=\($0)" } ?? "")
            let body = try await finance.http { client in try await client.execute(uri: path, method: .get).body }
            let page = (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
            let items = (page["items"] as? [[String: Any]]) ?? []
            #expect(items.allSatisfy { ($0["lines"] as? [Any])?.count == 2 })
            ids += items.compactMap { int64($0["id"]) }
            cursor = page["nextCursor"] as? String
            pages += 1
            if pages == 1 { try await post(20) }
        } while cursor != nil && pages < 10
        #expect(ids.count == 2_070 && Set(ids).count == 2_070, "\(ids.count) entries")
        await finance.cleanUp()
    }
}
