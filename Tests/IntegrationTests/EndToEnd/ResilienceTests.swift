import Foundation
import Messaging
import Testing

extension EndToEnd {
    /// Nothing lost, nothing doubled: duplicates, a service killed mid-flow, and bad input on
    /// the ingress, across the five real processes.
    @Suite struct ResilienceTests {
        @Test func theSameOrderTwiceMakesOneOrder() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", ref = "DUP-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 10)
                let messageId = UUID().uuidString, replies = try await bz.queue("replies")
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 3)], messageId: messageId, replyTo: replies)
                let first = try #require(try await TestBus.drain(replies, expected: 1, timeout: 10).first)
                #expect(first.properties.type == "sales.order.placed.v1")
                // Sent again (the shop never saw the answer, say): one order, and the same answer again.
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 3)], messageId: messageId, replyTo: replies)
                let again = try #require(try await TestBus.drain(replies, expected: 1, timeout: 10).first)
                #expect(again.properties.type == first.properties.type && again.body == first.body)
                #expect(again.properties.correlationId == ref && again.properties.messageId != first.properties.messageId)
                #expect(again.properties.headers["causation_id"] == first.properties.headers["causation_id"])
                #expect(again.properties.headers["x-replayed"] == .bool(true))
                // And again: still exactly one answer (replays are not replayed).
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 3)], messageId: messageId, replyTo: replies)
                let third = try await TestBus.drain(replies, expected: 1, timeout: 10)
                #expect(third.count == 1 && third.first?.body == first.body)
                try await bz.waitStatus(ref, "reserved")
                // The same orderRef under a new message id is a second order attempt: rejected as a duplicate.
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 3)])
                try await bz.until("sales", "/orders/\(ref)", "duplicate rejected") { ($0 as? [Any])?.count == 2 }
                let attempts = try await bz.get("sales", "/orders/\(ref)") as! [[String: Any]]
                #expect(attempts.map { $0["reasonCode"] as? String }.contains("duplicate-order-ref"))
                #expect(try await bz.scalar("sales", "SELECT count(*) AS n FROM orders WHERE order_ref = $1 AND status <> 'rejected'",
                                            [.text(ref)]) == 1)
                #expect(try await bz.scalar("risk", "SELECT count(*) AS n FROM orders WHERE order_ref = $1", [.text(ref)]) == 1)
                let stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["reserved"]) == 3)
            }
        }

        @Test func twoReplicasRacingOnTheSameNewReferenceMakeOneOrderAndRejectTheOther() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 100_000_000)
                try await bz.product(sku, price: 100, stock: 1_000)
                _ = try await bz.replica("sales")
                let refs = (1...30).map { "RACE-\(bz.run)-\($0)" }
                // Two different messages for each reference, published together: the replicas take them side by side.
                try await TestBus.send(refs.flatMap { ref in (0..<2).map { _ in Bizops.orderPlace(ref, customer: customer, lines: [(sku, 1)]) } })
                let pool = TestServers.pool(schema: "sales", size: 1)
                let settled = await eventually(timeout: 30) {
                    (try? await pool.query("SELECT count(*) AS n FROM orders WHERE customer_code = $1", [.text(customer)]).first?.int("n")) == 60
                }
                #expect(settled, "every order.place should end as an order or a rejection")
                #expect(try await bz.scalar("sales", "SELECT count(*) AS n FROM orders WHERE customer_code = $1 AND status <> 'rejected'",
                                            [.text(customer)]) == 30)
                #expect(try await bz.scalar("sales", """
                    SELECT count(*) AS n FROM orders WHERE customer_code = $1 AND status = 'rejected' AND reason_code = 'duplicate-order-ref'
                    """, [.text(customer)]) == 30)
            }
        }

        @Test func twoRiskReplicasNeverApproveMoreThanTheCreditLimitTogether() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", customer = "C-\(bz.run)"
                // Rating C: no review margin, so whatever does not fit the limit is rejected.
                try await bz.customer(customer, limit: 1_000, rating: "C")
                try await bz.product(sku, price: 100, stock: 100)
                _ = try await bz.replica("risk")
                let refs = (1...20).map { "LIM-\(bz.run)-\($0)" }
                try await TestBus.send(refs.map { Bizops.orderPlace($0, customer: customer, lines: [(sku, 1)]) })
                let pool = TestServers.pool(schema: "risk", size: 1)
                let decided = await eventually(timeout: 30) {
                    (try? await pool.query("SELECT count(*) AS n FROM orders WHERE customer_code = $1 AND status <> 'held'",
                                           [.text(customer)]).first?.int("n")) == 20
                }
                #expect(decided, "every order should be approved or rejected")
                // Ten orders of 100 fit a limit of 1,000, however the two copies shared the work.
                #expect(try await bz.scalar("risk", "SELECT COALESCE(sum(total), 0) AS n FROM orders WHERE customer_code = $1 AND status = 'approved'",
                                            [.text(customer)]) == 1_000)
            }
        }

        @Test func theDailyCollectionsRunWorksOnItsOwnAndTwoReplicasMarkAnInvoiceOverdueOnce() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", ref = "LATE-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000, terms: #"{"kind":"net","netDays":0}"#)
                try await bz.product(sku, price: 100, stock: 5)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.dispatchAndWait(ref)
                // Signed for long ago, so the invoice is already due as of today.
                try await bz.deliver(ref, at: "2026-01-05T10:00:00Z")
                try await bz.until("finance", "/invoices?order=\(ref)", "invoice") { ($0 as? [Any])?.count == 1 }
                // Two finance copies run the job every second, on their own.
                let a = try await bz.replica("finance", env: ["JOB_COLLECTIONS_SECONDS": "1"])
                let b = try await bz.replica("finance", env: ["JOB_COLLECTIONS_SECONDS": "1"])
                try await bz.until("risk", "/customers/\(customer)/credit", "customer on hold after the job ran") {
                    ($0 as? [String: Any])?["onHold"] as? Bool == true
                }
                _ = await eventually(timeout: 10) {
                    a.text.components(separatedBy: "collections run").count > 3 && b.text.components(separatedBy: "collections run").count > 3
                }
                #expect(a.text.components(separatedBy: "collections run").count > 3, "job did not keep running: \(a.text.suffix(1500))")
                // However often it ran, the invoice went overdue once: one event, one rating step.
                let overdue = (try await bz.order(ref)["history"] as! [[String: Any]]).filter {
                    $0["event"] as? String == "finance.invoice.overdue.v1"
                }
                #expect(overdue.count == 1)
                let profile = try await bz.get("risk", "/customers/\(customer)/credit") as! [String: Any]
                #expect(profile["rating"] as? String == "B")
            }
        }

        /// Sales' sweeper count of events that no queue was bound for (from its /metrics).
        private func unroutedEvents(_ bz: Bizops) async throws -> Int {
            metric(try await http(bz.url("sales", "/metrics")).body, "bizops_unrouted_events_total") ?? 0
        }

        @Test func malformedAndUnknownCommandsAreDeadLetteredWithAReasonAndTheServicesKeepRunning() async throws {
            try await Bizops.with { bz in
                let tag = bz.run, replies = try await bz.queue("replies"), teleportId = UUID().uuidString.lowercased()
                let unheardBefore = try await unroutedEvents(bz)
                try await TestBus.send([
                    TestBus.command("order.place", "{not json", correlationId: "\(tag)-1"),
                    TestBus.command("shipment.deliver", #"{"orderRef":"X","signedBy":"A","signedAt":12}"#, correlationId: "\(tag)-2"),
                    TestBus.command("shipment.deliver", #"{"orderRef":"X","signedBy":"","signedAt":"2026-12-01T10:00:00Z"}"#,
                                    correlationId: "\(tag)-3"),
                    TestBus.command("payment.record", #"{"amount":100,"currency":"CNY"}"#, correlationId: "\(tag)-4"),
                    TestBus.command("payment.record", #"{"amount":10.5,"currency":"CNY","orderRef":"X","bankReference":"B","valueDate":"2026-12-01"}"#,
                                    correlationId: "\(tag)-5"),
                    TestBus.command("complaint.open", #"{"channel":"fax","orderRef":"X","category":"quality","description":"?"}"#,
                                    correlationId: "\(tag)-6"),
                    TestBus.command("order.teleport", #"{"orderRef":"X"}"#, messageId: teleportId, correlationId: "\(tag)-7",
                                    replyTo: replies),
                    TestBus.command("shipment.dispatch", #"{"orderRef":"NEVER-\#(tag)"}"#, correlationId: "\(tag)-8"),
                    // With the sender's broker-checked user_id, which the sweeper must not pass on as its own.
                    TestBus.command("order.teleport", #"{"orderRef":"Y"}"#, correlationId: "\(tag)-10", userId: "bizops"),
                ])
                func reasons(_ queue: String, _ expected: Int) async throws -> [String: String] {
                    var found: [String: String] = [:]
                    for delivery in try await TestBus.drain(queue, expected: expected, timeout: 20,
                                                             counting: { $0.properties.correlationId?.hasPrefix(tag) == true }) {
                        guard let id = delivery.properties.correlationId, id.hasPrefix(tag) else { continue }
                        found[id] = "\(delivery.properties.headers["x-dead-letter-reason"]?.description ?? "-"): "
                            + "\(delivery.properties.headers["x-dead-letter-error"]?.description ?? "-")"
                    }
                    return found
                }
                let sales = try await reasons("sales.dead", 1)
                #expect(sales["\(tag)-1"]?.hasPrefix("malformed-json") == true)
                let logistics = try await reasons("logistics.dead", 2)
                #expect(logistics["\(tag)-2"]?.hasPrefix("invalid-field: signedAt") == true)
                #expect(logistics["\(tag)-3"]?.hasPrefix("invalid-field: signedBy") == true)
                // A valid dispatch for an order nobody placed is a refusal (after its wait), not poison.
                #expect(logistics["\(tag)-8"] == nil)
                #expect(try await eventually(timeout: 20) {
                    try await bz.refusals("logistics", correlationId: "\(tag)-8").first?["reasonCode"] as? String == "unknown-order"
                })
                let finance = try await reasons("finance.dead", 2)
                #expect(finance["\(tag)-4"]?.hasPrefix("invalid-field: bankReference") == true)
                #expect(finance["\(tag)-5"]?.hasPrefix("invalid-field: amount") == true)
                let service = try await reasons("customer_service.dead", 1)
                #expect(service["\(tag)-6"]?.hasPrefix("invalid-field: channel") == true)
                let unrouted = try await reasons("bizops.unrouted.dead", 2)
                #expect(unrouted["\(tag)-10"]?.hasPrefix("unknown-routing-key") == true)
                #expect(unrouted["\(tag)-7"]?.hasPrefix("unknown-routing-key") == true)
                #expect(unrouted["\(tag)-7"]?.contains("order.teleport") == true)
                // The sender of the unknown command asked for an answer, and hears why.
                let answer = try #require(try await TestBus.drain(replies, expected: 1, timeout: 10).first)
                #expect(answer.properties.type == "bizops.command.outcome.v1" && answer.properties.correlationId == "\(tag)-7")
                #expect(answer.properties.headers["causation_id"]?.description == teleportId)
                #expect(String(decoding: answer.body, as: UTF8.self).contains(#""reasonCode":"unknown-routing-key""#))
                // An event nobody listens to is normal: counted by the sweeper, not dead-lettered.
                try await TestBus.send([OutgoingMessage(
                    exchange: Topology.events, routingKey: "partner.weather.changed",
                    properties: MessageProperties(messageId: UUID().uuidString, type: "partner.weather.changed.v1", appId: "partner",
                                                  timestamp: Date(), correlationId: "\(tag)-9"),
                    body: Data(#"{"sky":"grey"}"#.utf8))])
                #expect(try await eventually { try await self.unroutedEvents(bz) > unheardBefore })
                #expect(try await reasons("bizops.unrouted.dead", 0)["\(tag)-9"] == nil)
                // Every service is still up and ready.
                for service in Bizops.services {
                    #expect(try await http(bz.url(service.exe, "/health/ready")).status == 200, "\(service.exe) not ready")
                }
            }
        }
    }
}
