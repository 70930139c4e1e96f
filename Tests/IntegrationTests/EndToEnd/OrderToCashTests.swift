import Foundation
import Messaging
import Testing

extension EndToEnd {
    /// The main path across the five real processes: `order.place` from a plain AMQP client
    /// to `sales.order.completed`, with every department's records checked against each other.
    @Suite struct OrderToCashTests {
        @Test func orderFlowsFromPlacementToCompletedAndEveryDepartmentAgrees() async throws {
            try await Bizops.with { bz in
                let customer = "E2E-\(bz.run)", sku = "SKU-\(bz.run)", ref = "WEB-\(bz.run)"
                // With the local servers, all five run over TLS to the broker and the database.
                if Bizops.overTLS {
                    for service in Bizops.services {
                        #expect(bz.children[service.exe]?.text.contains("amqps://\(service.id)@localhost:5671") == true,
                                "\(service.exe) is not on amqps")
                    }
                }
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 2_500, stock: 50)
                let observer = try await bz.queue("completed", bindings: [.event("sales.order.completed")])

                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 12)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.dispatchAndWait(ref)
                try await bz.deliver(ref)
                try await bz.waitStatus(ref, "delivered")
                let invoices = try await bz.until("finance", "/invoices?order=\(ref)", "final invoice") { ($0 as? [Any])?.count == 1 }
                let invoice = (invoices as! [[String: Any]])[0]
                #expect(int64(invoice["amount"]) == 30_000)
                #expect(invoice["dueDate"] as? String == "2026-12-31")   // net 30 from the signed delivery on 2026-12-01
                try await bz.pay(ref, amount: 30_000)
                try await bz.waitStatus(ref, "completed")

                // Sales: the whole history, from every department; the status only ever moved forward.
                let order = try await bz.order(ref)
                let history = order["history"] as! [[String: Any]]
                let events = history.map { $0["event"] as! String }
                #expect(Set(events).isSuperset(of: [
                    "sales.order.placed.v1", "risk.credit.approved.v1", "logistics.stock.reserved.v1", "logistics.shipment.dispatched.v1",
                    "logistics.shipment.delivered.v1", "finance.invoice.issued.v1", "finance.payment.received.v1", "finance.invoice.paid.v1",
                    "customer_service.revisit.scheduled.v1"]))
                let path = ["placed", "accepted", "reserved", "dispatched", "delivered", "completed"]
                var seen: [String] = []
                for status in history.map({ $0["status"] as! String }) where seen.last != status { seen.append(status) }
                #expect(seen == path)
                #expect(order["paid"] as? Bool == true && int64(order["total"]) == 30_000)
                // Every record says who: the outside system whose command started each step, carried
                // from service to service in the events' x-actor header.
                func actor(_ event: String) -> String? { history.first { $0["event"] as? String == event }?["actor"] as? String }
                #expect(actor("sales.order.placed.v1") == "webshop" && actor("risk.credit.approved.v1") == "webshop")
                #expect(actor("logistics.shipment.dispatched.v1") == "warehouse" && actor("logistics.shipment.delivered.v1") == "driver-app")
                #expect(actor("finance.payment.received.v1") == "bank-feed")
                let moves = try await bz.items("logistics", "/movements?order=\(ref)")
                #expect(moves.first { $0["kind"] as? String == "dispatch" }?["actor"] as? String == "warehouse", "\(moves)")
                let receipts = try await bz.items("logistics", "/movements?sku=\(sku)").filter { $0["kind"] as? String == "receipt" }
                #expect(receipts.first?["actor"] as? String == SignIn.tester.id, "a receipt booked over HTTP names the person")
                // The completion event is on the bus for anyone, tied to the order by correlation id.
                let completed = try await TestBus.drain(observer, expected: 1, timeout: 10).filter { $0.properties.correlationId == ref }
                #expect(completed.count == 1 && completed.first?.properties.type == "sales.order.completed.v1")
                // The order flow on sales' /metrics (sampled from its schema every 15 s).
                let counted = await eventually(timeout: 25) {
                    let text = (try? await http(bz.url("sales", "/metrics"), as: nil).body) ?? ""
                    let finance = (try? await http(bz.url("finance", "/metrics"), as: nil).body) ?? ""
                    let risk = (try? await http(bz.url("risk", "/metrics"), as: nil).body) ?? ""
                    return (metric(text, "bizops_orders", #"status="completed""#) ?? 0) >= 1 && metric(text, "bizops_ready") == 1
                        && (metric(finance, "bizops_invoices", #"status="paid""#) ?? 0) >= 1 && metric(risk, "bizops_credit_holds") != nil
                }
                #expect(counted, "bizops_orders{status=\"completed\"} and bizops_ready on sales' /metrics, paid invoices on finance's, holds on risk's")

                // Risk: approved, and nothing is owed any more.
                let credit = try await bz.get("risk", "/customers/\(customer)/credit") as! [String: Any]
                #expect(int64(credit["exposure"]) == 0)
                #expect(((credit["recentOrders"] as! [[String: Any]]).first?["status"] as? String) == "approved")
                // Logistics: 12 left the warehouse; the ledger adds up to the stock row.
                let stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["onHand"]) == 38 && int64(stock["reserved"]) == 0)
                let ledger = try await bz.scalar("logistics", "SELECT sum(on_hand_delta) AS n FROM movements WHERE sku = $1", [.text(sku)])
                #expect(ledger == 38)
                // Finance: the invoice is paid, and every journal entry balances.
                let paid = (try await bz.get("finance", "/invoices?order=\(ref)") as! [[String: Any]]).first!
                #expect(paid["status"] as? String == "paid" && int64(paid["outstanding"]) == 0)
                let unbalanced = try await bz.scalar("finance", """
                    SELECT count(*) AS n FROM (SELECT entry_id FROM journal_lines GROUP BY entry_id HAVING sum(debit) <> sum(credit)) u
                    """)
                #expect(unbalanced == 0)
                let entries = try await bz.scalar("finance", "SELECT count(*) AS n FROM journal_entries WHERE memo LIKE '%' || $1 || '%'",
                                                  [.text(ref)])
                #expect(entries == 2)  // the invoice, and the payment (its bank reference names the order)
                // Customer service: a revisit a week after the delivery.
                let revisits = try await bz.get("customer-service", "/customers/\(customer)") as! [String: Any]
                #expect(((revisits["revisits"] as! [[String: Any]]).first?["dueOn"] as? String) == "2026-12-08")
            }
        }

        /// The web shop as it integrates: logged in as itself, reading its own reply queue
        /// (`webshop.replies`, provisioned for it and bound to bizops.replies under its name);
        /// the answer reaches it there, and no other system can read it.
        @Test func anOutsideSystemHearsItsAnswersOnItsOwnReplyQueue() async throws {
            try await Bizops.with { bz in
                let customer = "RQ-\(bz.run)", sku = "SKU-\(bz.run)", ref = "WEB-\(bz.run)", replies = Topology.replyQueue(of: "webshop")
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 10)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 1)], replyTo: replies)  // sent as webshop
                let answers = try await TestBus.drain(replies, expected: 1, timeout: 20, as: "webshop") { $0.properties.correlationId == ref }
                let answer = try #require(answers.first { $0.properties.correlationId == ref })
                #expect(answer.properties.type == "sales.order.placed.v1")
                let peek = AMQPClient(config: try TestBus.config("bank-feed"))
                await #expect(throws: AMQPError.self, "another system reads the web shop's answers") {
                    try await peek.startConsuming(replies)
                }
                await peek.close()
            }
        }

        @Test func depositTermsKeepTheGoodsUntilTheDepositIsPaidAndInvoiceTheRestOnDelivery() async throws {
            try await Bizops.with { bz in
                let customer = "DEP-\(bz.run)", sku = "SKU-\(bz.run)", ref = "DEP-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000, terms: #"{"kind":"deposit","depositPercent":30,"netDays":15}"#)
                try await bz.product(sku, price: 1_000, stock: 10)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 10)])
                try await bz.waitStatus(ref, "reserved")
                let deposit = try await bz.until("finance", "/invoices?order=\(ref)", "deposit invoice") { ($0 as? [Any])?.count == 1 }
                #expect(int64((deposit as! [[String: Any]])[0]["amount"]) == 3_000)
                // The warehouse may not ship before the deposit is in.
                try await bz.until("logistics", "/orders/\(ref)", "logistics waits for the deposit") {
                    (($0 as? [String: Any])?["awaitingPayment"] as? [String])?.count == 1
                }
                // Nobody pays: a dispatch waits for the clearance past the bound (3 s here), then is
                // refused with the reason it waited for, answered and logged, not dead-lettered.
                let unpaid = try await bz.queue("unpaid")
                try await bz.dispatch(ref, whenCleared: false, replyTo: unpaid)
                let refused = try await bz.answer(unpaid, timeout: 30)
                #expect(refused.body["outcome"] as? String == "refused" && refused.body["reasonCode"] as? String == "awaiting-payment")
                let logged = try await bz.refusals("logistics", correlationId: ref)
                #expect(logged.count == 1 && logged.first?["reasonCode"] as? String == "awaiting-payment")
                #expect((logged.first?["waitedSeconds"] as? Double ?? 0) >= 3)
                // A dispatch sent before the deposit is in waits for the clearance that is on its way
                // (the bank feed pays a moment later), and goes through once it lands.
                let replies = try await bz.queue("dispatch")
                try await bz.dispatch(ref, whenCleared: false, replyTo: replies)
                try await bz.pay(ref, amount: 3_000, bankReference: "DEP-\(ref)")
                try await bz.until("sales", "/orders/\(ref)", "deposit paid") {
                    ((($0 as? [[String: Any]])?.last?["history"] as? [[String: Any]]) ?? []).contains {
                        ($0["detail"] as? String ?? "").contains("(deposit) paid")
                    }
                }
                try await bz.waitStatus(ref, "dispatched")
                #expect(try await bz.answer(replies).type == "logistics.shipment.dispatched.v1")
                #expect(try await bz.deadLetters("logistics", correlationId: ref).isEmpty)
                #expect(try await bz.refusals("logistics", correlationId: ref).count == 1, "only the unpaid one was refused")
                try await bz.deliver(ref, at: "2026-12-01T08:00:00Z")
                let invoices = try await bz.until("finance", "/invoices?order=\(ref)", "final invoice") { ($0 as? [Any])?.count == 2 }
                let final = (invoices as! [[String: Any]]).first { $0["kind"] as? String == "final" }!
                #expect(int64(final["amount"]) == 7_000 && final["dueDate"] as? String == "2026-12-16")
                #expect(try await bz.order(ref)["status"] as? String == "delivered")
                // 1,000 too much: the order completes and the rest is the customer's credit.
                try await bz.pay(ref, amount: 8_000, bankReference: "REST-\(ref)")
                try await bz.waitStatus(ref, "completed")
                let account = try await bz.get("finance", "/customers/\(customer)/account") as! [String: Any]
                #expect(int64((account["credit"] as? [String: Any])?["CNY"]) == 1_000)
                #expect(int64(account["outstanding"]) == 0)
                let revenue = try await bz.scalar("finance", """
                    SELECT COALESCE(sum(l.credit - l.debit), 0) AS n FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
                    WHERE l.account = '4000 Sales revenue' AND e.memo LIKE '%' || $1 || '%'
                    """, [.text(ref)])
                #expect(revenue == 10_000)
            }
        }

        @Test func prepaidOrdersAreInvoicedAtOnceAndCompleteOnDelivery() async throws {
            try await Bizops.with { bz in
                let customer = "PRE-\(bz.run)", sku = "SKU-\(bz.run)", ref = "PRE-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000, terms: #"{"kind":"prepaid"}"#)
                try await bz.product(sku, price: 250, stock: 10)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 4)])
                let invoices = try await bz.until("finance", "/invoices?order=\(ref)", "prepayment invoice") { ($0 as? [Any])?.count == 1 }
                #expect(((invoices as! [[String: Any]])[0]["kind"] as? String) == "prepayment")
                // Paid in two parts; the second settles it.
                try await bz.pay(ref, amount: 600, bankReference: "P1-\(ref)")
                try await bz.pay(ref, amount: 400, bankReference: "P2-\(ref)")
                try await bz.waitStatus(ref, "reserved")
                try await bz.dispatchAndWait(ref)
                try await bz.deliver(ref)
                try await bz.waitStatus(ref, "completed")
                let after = try await bz.get("finance", "/invoices?order=\(ref)") as! [[String: Any]]
                #expect(after.count == 1 && after[0]["status"] as? String == "paid")
            }
        }

        @Test func aPaymentThatComesBeforeItsInvoiceIsAppliedWhenTheInvoiceIsIssued() async throws {
            try await Bizops.with { bz in
                let customer = "EARLY-\(bz.run)", sku = "SKU-\(bz.run)", ref = "EARLY-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 300, stock: 10)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 2)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.dispatchAndWait(ref)
                // The bank is faster than the driver: the money is there before the invoice.
                try await bz.pay(ref, amount: 600)
                try await bz.until("finance", "/customers/\(customer)/account", "payment kept as credit") {
                    int64((($0 as? [String: Any])?["credit"] as? [String: Any])?["CNY"]) == 600
                }
                try await bz.deliver(ref)
                try await bz.waitStatus(ref, "completed")
                let account = try await bz.get("finance", "/customers/\(customer)/account") as! [String: Any]
                #expect(int64((account["credit"] as? [String: Any])?["CNY"]) == 0 && int64(account["outstanding"]) == 0)
                let credit = try await bz.until("risk", "/customers/\(customer)/credit", "risk sees nothing owed") {
                    int64(($0 as? [String: Any])?["exposure"]) == 0
                } as! [String: Any]
                #expect((credit["openInvoices"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
