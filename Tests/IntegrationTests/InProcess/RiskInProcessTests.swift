import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import RiskService
import Storage
import Testing

/// Risk's handlers and routes, in-process against the real PostgreSQL (a scratch schema per
/// test): messages in through the kit's processor, state, outbox rows and answers checked.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct RiskInProcessTests {
    func placed(_ ref: String, _ customer: String, total: Int64) -> OrderPlaced {
        OrderPlaced(orderId: UUID(), orderRef: ref, customerCode: customer, currency: "CNY",
                    lines: [.init(sku: "S", quantity: 1, unitPrice: total, lineTotal: total)], total: total, requestedDeliveryDate: "2026-12-15")
    }

    func profile(_ risk: ServiceHarness, _ customer: String, limit: Int64, rating: String = "A") async throws {
        let status = try await risk.http { client in
            try await client.execute(uri: "/customers/\(customer)/credit", method: .put,
                                     body: ByteBuffer(string: #"{"creditLimit":\#(limit),"currency":"CNY","rating":"\#(rating)"}"#)).status
        }
        #expect(status == .ok)
    }

    @Test func anOrderWithinTheLimitIsApprovedOnceHoweverOftenItComes() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        try await profile(risk, "C-1", limit: 10_000)
        let id = UUID().uuidString.lowercased()
        let first = try await risk.deliver(placed("R-1", "C-1", total: 4_000), messageId: id, correlationId: "R-1")
        #expect(first.handled.count == 1 && first.permanent.isEmpty)
        try await risk.deliver(placed("R-1", "C-1", total: 4_000), messageId: id)  // redelivered
        try await risk.deliver(placed("R-1", "C-1", total: 4_000))                  // the same order, sent again
        let approved = try await risk.outbox("risk.credit.approved.v1")
        #expect(approved.count == 1)
        let decision = approved.first?.body["decision"] as? [String: Any]
        #expect(int64(decision?["exposure"]) == 4_000 && int64(decision?["creditLimit"]) == 10_000)
        #expect(try await risk.pool.query("SELECT correlation_id FROM outbox WHERE message_type = 'risk.credit.approved.v1'")
            .first?.optionalString("correlation_id") == "R-1")
        await risk.cleanUp()
    }

    @Test func aHeldOrderIsReviewedBySomeoneOfRiskOnlyAndTheReleaseNamesThem() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        try await profile(risk, "C-2", limit: 1_000)
        try await risk.deliver(placed("H-1", "C-2", total: 1_200))  // 20 % over: within A's 50 % margin
        #expect(try await risk.outbox("risk.credit.held.v1").count == 1)
        // Someone of sales may not decide it: 403 naming the roles that may.
        let outsider = try await risk.http(as: SignIn.person("wang.fang")) { client in
            try await client.execute(uri: "/orders/H-1/release", method: .post, body: ByteBuffer(string: #"{"note":"please"}"#))
        }
        #expect(outsider.status == .forbidden && (outsider.json["error"] as? [String: Any])?["code"] as? String == "forbidden")
        #expect(((outsider.json["error"] as? [String: Any])?["message"] as? String ?? "").contains("risk:staff"))
        // A body naming someone else is not how it works any more: who decides is the token's subject.
        try await risk.http(as: SignIn.person("risk.deng")) { client in
            let holds = try await client.execute(uri: "/holds", method: .get)
            #expect(((holds.json["items"] as? [[String: Any]]) ?? []).map { $0["orderRef"] as? String } == ["H-1"])
            let released = try await client.execute(uri: "/orders/H-1/release", method: .post,
                                                    body: ByteBuffer(string: #"{"authorisedBy":"li.wei","note":"known customer"}"#))
            #expect(released.status == .ok && released.json["status"] as? String == "approved" && released.json["decidedBy"] as? String == "risk.deng")
            let again = try await client.execute(uri: "/orders/H-1/release", method: .post, body: ByteBuffer(string: "{}"))
            #expect(again.status == .conflict && (again.json["error"] as? [String: Any])?["code"] as? String == "not-held")
            let bad = try await client.execute(uri: "/orders/H-1/reject", method: .post, body: ByteBuffer(string: #"{"note":5}"#))
            #expect(bad.status == .badRequest && ((bad.json["error"] as? [String: Any])?["message"] as? String ?? "").contains("note"))
            let missing = try await client.execute(uri: "/customers/NOBODY/credit", method: .get)
            #expect(missing.status == .notFound && (missing.json["error"] as? [String: Any])?["code"] as? String == "not-found")
            // A path asked with a method it does not answer, and a path that does not exist: the error body too.
            let wrongMethod = try await client.execute(uri: "/holds", method: .delete)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "GET"
                    && (wrongMethod.json["error"] as? [String: Any])?["code"] as? String == "method-not-allowed")
            let noRoute = try await client.execute(uri: "/nowhere", method: .get)
            #expect(noRoute.status == .notFound && (noRoute.json["error"] as? [String: Any])?["code"] as? String == "not-found")
        }
        let approved = try await risk.outbox("risk.credit.approved.v1")
        #expect(approved.count == 1 && (approved.first?.body["decision"] as? [String: Any])?["decidedBy"] as? String == "risk.deng")
        // The event carries its actor in the kit's header.
        let headers = try await risk.pool.query("SELECT headers::jsonb->>'x-actor' AS actor FROM outbox WHERE message_type = 'risk.credit.approved.v1'")
        #expect(try headers.first?.optionalString("actor") == "risk.deng")
        // The refused attempt is in the refusal log, with the person who made it.
        let refusals = try await risk.pool.query("SELECT reason_code, actor FROM refusals ORDER BY id")
        #expect(try refusals.map { try $0.string("reason_code") } == ["not-held"])
        #expect(try refusals.first?.optionalString("actor") == "risk.deng")
        // And risk keeps what it learnt of the person.
        let people = try await risk.pool.query("SELECT name, department, team FROM people WHERE subject = 'risk.deng'")
        #expect(try people.first?.optionalString("name") == "Deng Ke" && people.first?.optionalString("team") == "credit")
        await risk.cleanUp()
    }

    @Test func overdueLowersTheRatingOncePerInvoiceAndARejectedReferenceMayBePlacedAgain() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        try await profile(risk, "C-3", limit: 1_000, rating: "B")
        let overdue = InvoiceOverdue(invoiceNumber: "INV-1", orderRef: "O-1", customerCode: "C-3", outstanding: 500, currency: "CNY",
                                     dueDate: BusinessDate("2026-11-01")!, asOf: BusinessDate("2026-12-01")!)
        try await risk.deliver(overdue)
        try await risk.deliver(overdue)  // the next collections run reports it again
        let changed = try await risk.outbox("risk.customer.rating_changed.v1")
        #expect(changed.count == 1 && changed.first?.body["rating"] as? String == "C" && changed.first?.body["onHold"] as? Bool == true)
        // On hold: the next order is held; far over the limit it would be rejected.
        try await risk.deliver(placed("X-1", "C-3", total: 100))
        #expect(try await risk.outbox("risk.credit.held.v1").count == 1)
        _ = try await risk.pool.execute("UPDATE credit_profiles SET on_hold = false")
        try await risk.deliver(placed("X-2", "C-3", total: 50_000))
        #expect(try await risk.outbox("risk.credit.rejected.v1").count == 1)
        // Sales takes a rejected reference again as a new order: risk checks it afresh.
        try await risk.deliver(placed("X-2", "C-3", total: 10))
        #expect(try await risk.outbox("risk.credit.approved.v1").count == 1)
        await risk.cleanUp()
    }

    /// More than the largest page, read while rows are being added: every row exactly once.
    @Test func listsPageByCursorAndMissNothingWhileRowsAreAdded() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        func addHeld(_ count: Int, from start: Int) async throws {
            _ = try await risk.pool.execute("""
                INSERT INTO orders (order_ref, customer_code, total, currency, status)
                SELECT 'P-' || n, 'C-P', 1, 'CNY', 'held' FROM generate_series($1::int, $2::int) AS n
                """, [.int(Int64(start)), .int(Int64(start + count - 1))])
        }
        try await addHeld(1_200, from: 1)
        var seen: [String] = [], cursor: String? = nil, pages = 0
        repeat {
            let path = "/holds?limit=500" + (cursor.map { "&after=\($0)" } ?? "")
            let body = try await risk.http { client in try await client.execute(uri: path, method: .get).body }
            let page = (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
            seen += ((page["items"] as? [[String: Any]]) ?? []).compactMap { $0["orderRef"] as? String }
            cursor = page["nextCursor"] as? String
            pages += 1
            if pages == 1 { try await addHeld(100, from: 1_201) }  // arrive while the reader pages
        } while cursor != nil && pages < 10
        #expect(seen.count == 1_300 && Set(seen).count == 1_300, "\(seen.count) rows, \(Set(seen).count) distinct")
        #expect(pages == 3)
        let tooMany = try await risk.http { client in try await client.execute(uri: "/holds?limit=501", method: .get).status }
        #expect(tooMany == .badRequest)
        await risk.cleanUp()
    }
}
