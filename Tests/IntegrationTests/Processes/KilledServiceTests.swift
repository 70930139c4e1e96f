import Foundation
import Messaging
import Testing

/// A service killed mid-flow (SIGKILL, no goodbye) and started again: the flow completes with
/// nothing lost or doubled. On a system of its own, since it stops services.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct KilledServiceTests {
    @Test func aServiceKilledMidFlowCompletesTheFlowAfterRestartWithNothingDoubled() async throws {
        try await Bizops.with { bz in
            let sku = "SKU-\(bz.run)", customer = "C-\(bz.run)"
            try await bz.customer(customer, limit: 100_000_000)
            try await bz.product(sku, price: 100, stock: 1_000)
            let refs = (1...20).map { "KILL-\(bz.run)-\($0)" }
            for ref in refs { try await bz.placeOrder(ref, customer: customer, lines: [(sku, 5)]) }
            // Logistics dies (no goodbye) while the orders are on their way to it...
            await bz.kill("logistics")
            // ...and finance dies too while deliveries and payments are in flight.
            try await bz.launch("logistics")
            for ref in refs { try await bz.waitStatus(ref, "reserved") }
            for ref in refs { try await bz.dispatch(ref) }
            for ref in refs { try await bz.waitStatus(ref, "dispatched") }
            for ref in refs { try await bz.deliver(ref) }
            await bz.kill("finance")
            try await bz.launch("finance")
            for ref in refs { try await bz.until("finance", "/invoices?order=\(ref)", "invoice for \(ref)") { ($0 as? [Any])?.count == 1 } }
            for ref in refs { try await bz.pay(ref, amount: 500) }
            await bz.kill("sales")
            try await bz.launch("sales")
            for ref in refs { try await bz.waitStatus(ref, "completed") }
            // Each order reserved once, shipped once, invoiced once, paid once.
            let stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
            #expect(int64(stock["onHand"]) == 900 && int64(stock["reserved"]) == 0)
            #expect(try await bz.scalar("logistics", "SELECT count(*) AS n FROM movements WHERE sku = $1 AND kind = 'reserve'",
                                        [.text(sku)]) == 20)
            #expect(try await bz.scalar("finance", """
                SELECT count(*) AS n FROM invoices WHERE customer_code = $1 AND status = 'paid' AND amount = 500
                """, [.text(customer)]) == 20)
            #expect(try await bz.scalar("finance", "SELECT count(*) AS n FROM invoices WHERE customer_code = $1",
                                        [.text(customer)]) == 20)
            #expect(try await bz.scalar("sales", """
                SELECT count(*) AS n FROM order_history h JOIN orders o ON o.id = h.order_id
                WHERE o.customer_code = $1 AND h.detail = 'delivered and paid'
                """, [.text(customer)]) == 20)  // each completed exactly once
        }
    }

    /// `bizctl order` on an order whose next message waits in a work queue (its service is down):
    /// it names the message, who sent it and when, and the queue it waits in.
    @Test func orderSaysTheAwaitedMessageWaitsInTheQueueOfAServiceThatIsDown() async throws {
        try await Bizops.with { bz in
            let sku = "SKU-Q-\(bz.run)", customer = "CQ-\(bz.run)", ref = "QUEUED-\(bz.run)"
            try await bz.customer(customer, limit: 1_000_000)
            try await bz.product(sku, price: 100, stock: 10)
            await bz.kill("logistics")
            try await bz.placeOrder(ref, customer: customer, lines: [(sku, 1)])
            try await bz.waitStatus(ref, "accepted")
            var arguments = ["order", ref, "--json", "--token", try await SignIn.issuer.token(for: SignIn.person("zhou.ops")),
                             "--database-url", TestServers.databaseURL, "--amqp-url", TestServers.amqpURL]
            for service in Bizops.services { arguments += ["--service", "\(service.id)=\(bz.url(service.exe, ""))"] }
            let child = try ChildProcess("bizctl", arguments, environment: [:])
            let exit = await child.waitExit(timeout: 60)
            let text = child.text
            let json = text.firstIndex(of: "{").map { String(text[$0...]) } ?? ""
            let report = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
            let waiting = report["waiting"] as? [String: Any]
            #expect(exit == 0 && waiting?["step"] as? String == "the stock reservation", "\(text.suffix(1500))")
            let whereNow = waiting?["whereNow"] as? String ?? ""
            #expect(whereNow.contains("sales.order.accepted.v1 sent by sales at ") && whereNow.contains("not yet handled by logistics: in its queue logistics"),
                    "\(whereNow)")
            #expect(!whereNow.contains("nowhere yet"))
            #expect((report["unreadable"] as? [String])?.contains { $0.hasPrefix("logistics: ") } == true, "the service that is down is named")
            // Once logistics is back it takes the message, and the order moves on.
            try await bz.launch("logistics")
            try await bz.waitStatus(ref, "reserved")
        }
    }
}
