import Foundation
import Messaging
import Testing

extension EndToEnd {
    /// Each way an order can go wrong ends cleanly and visibly, across the five real processes.
    @Suite struct UnhappyPathTests {
        @Test func invalidOrdersAndCreditDecisionsEndWithReasonsAndAReleasedHoldContinues() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)"
                try await bz.product(sku, price: 1_000, stock: 100)
                try await bz.customer("OK-\(bz.run)", limit: 100_000)
                try await bz.customer("LOW-\(bz.run)", limit: 10_000, rating: "C")
                try await bz.customer("REV-\(bz.run)", limit: 10_000, rating: "A")

                // Unknown SKU: sales rejects it with a reason code.
                try await bz.placeOrder("BAD-\(bz.run)", customer: "OK-\(bz.run)", lines: [("NOPE-\(bz.run)", 1)])
                try await bz.waitStatus("BAD-\(bz.run)", "rejected")
                #expect(try await bz.order("BAD-\(bz.run)")["reasonCode"] as? String == "unknown-sku")
                // Far over a weak customer's limit: risk rejects it, sales announces why.
                try await bz.placeOrder("OVER-\(bz.run)", customer: "LOW-\(bz.run)", lines: [(sku, 50)])
                try await bz.waitStatus("OVER-\(bz.run)", "rejected")
                #expect(try await bz.order("OVER-\(bz.run)")["reasonCode"] as? String == "credit-limit-exceeded")
                // A little over a good customer's limit: held for a person's review.
                let held = "HOLD-\(bz.run)"
                try await bz.placeOrder(held, customer: "REV-\(bz.run)", lines: [(sku, 12)])
                try await bz.waitStatus(held, "held")
                #expect(try await bz.order(held)["reasonCode"] as? String == "credit-limit-review")
                let holds = try await bz.get("risk", "/holds") as! [[String: Any]]
                #expect(holds.contains { $0["orderRef"] as? String == held })
                // Only someone of risk may release it, and the release names who did: the signed-in person.
                let refused = try await bz.call("risk", "POST", "/orders/\(held)/release", #"{"note":"x"}"#, expect: 403,
                                                as: SignIn.person("wang.fang"))
                #expect("\(refused)".contains("forbidden") && "\(refused)".contains("risk:manager"))
                try await bz.call("risk", "POST", "/orders/\(held)/release", #"{"note":"known customer"}"#, expect: 200,
                                  as: SignIn.person("li.wei"))
                try await bz.waitStatus(held, "reserved")
                let history = (try await bz.order(held)["history"] as! [[String: Any]]).map { $0["detail"] as! String }
                #expect(history.contains { $0.contains("released by li.wei") })
                // Releasing twice is refused, not doubled.
                try await bz.call("risk", "POST", "/orders/\(held)/release", "{}", expect: 409, as: SignIn.person("li.wei"))
                let reserves = try await bz.scalar("logistics", "SELECT count(*) AS n FROM movements WHERE order_ref = $1 AND kind = 'reserve'",
                                                   [.text(held)])
                #expect(reserves == 1)
            }
        }

        @Test func outOfStockIsBackorderedAndContinuesWhenStockArrives() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", ref = "BO-\(bz.run)"
                try await bz.customer("C-\(bz.run)", limit: 1_000_000)
                try await bz.product(sku, price: 700, stock: 5)
                try await bz.placeOrder(ref, customer: "C-\(bz.run)", lines: [(sku, 8)])
                try await bz.waitStatus(ref, "backordered")
                // Dispatching before the stock is there is refused with a reason: answered, logged,
                // told to sales, and not a dead letter.
                let replies = try await bz.queue("dispatch")
                try await bz.dispatch(ref, replyTo: replies)
                let refused = try await bz.answer(replies)
                #expect(refused.type == "bizops.command.outcome.v1")
                #expect(refused.body["outcome"] as? String == "refused" && refused.body["reasonCode"] as? String == "not-ready")
                #expect(try await bz.refusals("logistics", correlationId: ref).first?["reasonCode"] as? String == "not-ready")
                try await bz.until("sales", "/orders/\(ref)", "sales hears of the refused dispatch") {
                    ((($0 as? [[String: Any]])?.last?["history"] as? [[String: Any]]) ?? []).contains {
                        ($0["event"] as? String) == "logistics.dispatch.refused.v1"
                            && ($0["detail"] as? String ?? "").contains("not-ready")
                    }
                }
                #expect(try await bz.deadLetters("logistics", correlationId: ref).isEmpty)
                var stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["reserved"]) == 5 && int64(stock["backordered"]) == 3)
                try await bz.receive(sku, 10, reference: "HQ-\(bz.run)")
                try await bz.waitStatus(ref, "reserved")
                stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["onHand"]) == 15 && int64(stock["reserved"]) == 8 && int64(stock["available"]) == 7)
                // The same receipt reported twice counts once.
                try await bz.call("logistics", "POST", "/stock/receipts",
                                  #"{"warehouse":"SH-01","sku":"\#(sku)","quantity":10,"reference":"HQ-\#(bz.run)"}"#, expect: 200)
                try await bz.dispatchAndWait(ref)
                let history = try await bz.order(ref)["history"] as! [[String: Any]]
                // The refused dispatch is in the history too (at status backordered); the moves are these.
                #expect(history.filter { $0["event"] as? String == "logistics.dispatch.refused.v1" }.count == 1)
                let statuses = history.filter { $0["event"] as? String != "logistics.dispatch.refused.v1" }.map { $0["status"] as! String }
                #expect(statuses.starts(with: ["placed", "accepted", "backordered", "reserved"]))
            }
        }

        @Test func cancelledBeforeDispatchReleasesStockAndInvoicesNothingAfterDispatchItIsRefused() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", ref = "CXL-\(bz.run)", late = "LATE-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000, terms: #"{"kind":"deposit","depositPercent":30,"netDays":10}"#)
                try await bz.product(sku, price: 1_000, stock: 20)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 10)])
                try await bz.waitStatus(ref, "reserved")
                // The terms ask for a 30% deposit as soon as the order is accepted.
                let deposit = try await bz.until("finance", "/invoices?order=\(ref)", "deposit invoice") { ($0 as? [Any])?.count == 1 }
                #expect(((deposit as! [[String: Any]])[0]["kind"] as? String) == "deposit")
                #expect(int64((deposit as! [[String: Any]])[0]["amount"]) == 3_000)

                let replies = try await bz.queue("replies")
                // The answer waits for the warehouse, and still names the command it answers.
                let cancelId = UUID().uuidString.lowercased(), asked = "SHOP-TICKET-\(bz.run)"
                try await bz.publish("order.cancel", #"{"orderRef":"\#(ref)","reason":"customer changed plans"}"#, correlationId: asked,
                                     messageId: cancelId, replyTo: replies)
                try await bz.waitStatus(ref, "cancelled")
                let answer = try await TestBus.drain(replies, expected: 1, timeout: 10)
                #expect(answer.first?.properties.type == "sales.order.cancelled.v1")
                #expect(answer.first?.properties.correlationId == asked)
                #expect(answer.first?.properties.headers["causation_id"]?.description == cancelId)
                // Logistics gave the stock back; finance voided the deposit and invoiced nothing.
                try await bz.until("logistics", "/orders/\(ref)", "reservation released") { ($0 as? [String: Any])?["status"] as? String == "cancelled" }
                let stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["reserved"]) == 0 && int64(stock["available"]) == 20)
                try await bz.until("finance", "/invoices?order=\(ref)", "deposit voided") {
                    (($0 as? [[String: Any]]) ?? []).allSatisfy { $0["status"] as? String == "void" }
                }
                try await bz.until("risk", "/orders/\(ref)", "exposure released") { ($0 as? [String: Any])?["status"] as? String == "cancelled" }
                let credit = try await bz.get("risk", "/customers/\(customer)/credit") as! [String: Any]
                #expect(int64(credit["exposure"]) == 0)

                // Once dispatched it is too late: refused with a reason, and the order goes on.
                try await bz.placeOrder(late, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(late, "reserved")
                try await bz.until("finance", "/invoices?order=\(late)", "deposit invoice") { ($0 as? [Any])?.count == 1 }
                try await bz.pay(late, amount: 300)
                try await bz.dispatchAndWait(late)
                try await bz.publish("order.cancel", #"{"orderRef":"\#(late)"}"#, correlationId: late, replyTo: replies)
                let refusal = try await TestBus.drain(replies, expected: 1, timeout: 10)
                #expect(refusal.first?.properties.type == "sales.order.cancel_refused.v1")
                let refusalBody = String(decoding: refusal.first?.body ?? Data(), as: UTF8.self)
                #expect(refusalBody.contains("too-late-to-cancel"))
                #expect(try await bz.order(late)["status"] as? String == "dispatched")

                // Dispatch and cancel at the same moment: whichever the warehouse takes first wins,
                // and every department agrees on the outcome.
                let race = "RACE-\(bz.run)"
                try await bz.placeOrder(race, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(race, "reserved")
                try await bz.until("finance", "/invoices?order=\(race)", "deposit invoice") { ($0 as? [Any])?.count == 1 }
                try await bz.pay(race, amount: 300)
                try await bz.waitCleared(race)
                try await TestBus.send([TestBus.command("shipment.dispatch", #"{"orderRef":"\#(race)"}"#, correlationId: race),
                                        TestBus.command("order.cancel", #"{"orderRef":"\#(race)"}"#, correlationId: race, replyTo: replies)])
                let verdict = try await TestBus.drain(replies, expected: 1, timeout: 20)
                #expect(verdict.count == 1)
                let logistics = try await bz.get("logistics", "/orders/\(race)") as! [String: Any]
                let finance = try await bz.until("finance", "/invoices?order=\(race)", "finance settled on the outcome") { _ in true } as! [[String: Any]]
                if verdict.first?.properties.type == "sales.order.cancelled.v1" {
                    try await bz.waitStatus(race, "cancelled")
                    #expect(logistics["status"] as? String == "cancelled")
                    try await bz.until("finance", "/invoices?order=\(race)", "paid deposit voided") {
                        (($0 as? [[String: Any]]) ?? []).allSatisfy { $0["status"] as? String == "void" }
                    }
                } else {
                    #expect(verdict.first?.properties.type == "sales.order.cancel_refused.v1")
                    try await bz.waitStatus(race, "dispatched")
                    #expect(logistics["status"] as? String == "dispatched")
                    #expect(finance.allSatisfy { $0["status"] as? String != "void" })
                }
            }
        }

        @Test func overdueInvoicePutsTheCustomerOnHoldAndTheNextOrderIsHeld() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", first = "FIRST-\(bz.run)", next = "NEXT-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000, terms: #"{"kind":"net","netDays":10}"#)
                try await bz.product(sku, price: 1_000, stock: 20)
                try await bz.placeOrder(first, customer: customer, lines: [(sku, 2)])
                try await bz.waitStatus(first, "reserved")
                try await bz.dispatchAndWait(first)
                try await bz.deliver(first, at: "2026-12-01T10:00:00Z")
                try await bz.until("finance", "/invoices?order=\(first)", "invoice") { ($0 as? [Any])?.count == 1 }
                // Collections as of 2026-12-20: due 2026-12-11, unpaid, so overdue (once, however often it runs).
                let run = try await bz.call("finance", "POST", "/collections/run", #"{"asOf":"2026-12-20"}"#, expect: 200) as! [String: Any]
                let found = (run["overdue"] as! [[String: Any]]).filter { $0["orderRef"] as? String == first }
                #expect(found.count == 1 && (found.first?["daysOverdue"] as? Int) == 9)
                // The account shows it in the 1-30 days bucket as of that day, and as current a day before it was due.
                let account = try await bz.get("finance", "/customers/\(customer)/account?asOf=2026-12-20") as! [String: Any]
                #expect(int64((account["ageing"] as? [String: Any])?["1-30"]) == 2_000)
                let earlier = try await bz.get("finance", "/customers/\(customer)/account?asOf=2026-12-10") as! [String: Any]
                #expect(int64((earlier["ageing"] as? [String: Any])?["current"]) == 2_000)
                let again = try await bz.call("finance", "POST", "/collections/run", #"{"asOf":"2026-12-21"}"#, expect: 200) as! [String: Any]
                #expect(!(again["overdue"] as! [[String: Any]]).contains { $0["orderRef"] as? String == first })
                // Risk lowers the rating and puts the customer on hold...
                let profile = try await bz.until("risk", "/customers/\(customer)/credit", "customer on hold") {
                    ($0 as? [String: Any])?["onHold"] as? Bool == true
                } as! [String: Any]
                #expect(profile["rating"] as? String == "B")
                // ...so the next order is held, not approved.
                try await bz.placeOrder(next, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(next, "held")
                #expect(try await bz.order(next)["reasonCode"] as? String == "customer-on-hold")
                // Sales' history of the first order shows the overdue invoice.
                let details = (try await bz.order(first)["history"] as! [[String: Any]]).map { $0["event"] as! String }
                #expect(details.contains("finance.invoice.overdue.v1"))
                // An authorised person lifts the customer's hold; the rating stays lowered.
                try await bz.call("risk", "POST", "/customers/\(customer)/release-hold", "{}", expect: 200, as: SignIn.person("risk.dir"))
                let lifted = try await bz.get("risk", "/customers/\(customer)/credit") as! [String: Any]
                #expect(lifted["onHold"] as? Bool == false && lifted["rating"] as? String == "B")
            }
        }

        @Test func complaintLeadsToAReturnAndACreditNote() async throws {
            try await Bizops.with { bz in
                let sku = "SKU-\(bz.run)", ref = "CMP-\(bz.run)", customer = "C-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 1_500, stock: 10)
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 4)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.dispatchAndWait(ref)
                try await bz.deliver(ref)
                try await bz.until("finance", "/invoices?order=\(ref)", "invoice") { ($0 as? [Any])?.count == 1 }

                try await bz.publish("complaint.open", """
                    {"channel":"phone","orderRef":"\(ref)","category":"damaged","description":"two brackets arrived bent","contact":"Ms Chen"}
                    """, correlationId: ref)
                let cases = try await bz.until("customer-service", "/complaints?order=\(ref)", "complaint opened") { ($0 as? [Any])?.count == 1 }
                let complaint = (cases as! [[String: Any]])[0]
                #expect(complaint["routedTo"] as? String == "logistics" && complaint["customerCode"] as? String == customer)
                #expect(complaint["deadline"] != nil && complaint["status"] as? String == "open")
                let number = complaint["caseNumber"] as! String
                // Nobody acted within the 48 hours promised for damaged goods: it escalates, once.
                let later = Date().addingTimeInterval(5 * 86_400).formatted(.iso8601)
                let escalation = try await bz.call("customer-service", "POST", "/complaints/escalations/run", #"{"asOf":"\#(later)"}"#,
                                                   expect: 200) as! [String: Any]
                #expect((escalation["escalated"] as! [[String: Any]]).contains { $0["caseNumber"] as? String == number })
                let repeated = try await bz.call("customer-service", "POST", "/complaints/escalations/run", #"{"asOf":"\#(later)"}"#,
                                                 expect: 200) as! [String: Any]
                #expect(!(repeated["escalated"] as! [[String: Any]]).contains { $0["caseNumber"] as? String == number })
                try await bz.until("sales", "/orders/\(ref)", "escalation in the order's history") {
                    ((($0 as? [[String: Any]])?.last?["history"] as? [[String: Any]]) ?? []).contains {
                        $0["event"] as? String == "customer_service.complaint.escalated.v1"
                    }
                }
                // The customer pays for the two they keep before the return is settled.
                try await bz.pay(ref, amount: 3_000)
                // Asking back more than was delivered is refused.
                try await bz.call("customer-service", "POST", "/complaints/\(number)/resolve",
                                  #"{"resolution":"return","lines":[{"sku":"\#(sku)","quantity":9}]}"#, expect: 422)
                try await bz.call("customer-service", "POST", "/complaints/\(number)/resolve",
                                  #"{"resolution":"return","note":"collect the bent ones","lines":[{"sku":"\#(sku)","quantity":2}]}"#, expect: 200)
                let expected = try await bz.until("logistics", "/returns?order=\(ref)", "return expected") {
                    (($0 as? [[String: Any]]) ?? []).contains { $0["orderRef"] as? String == ref }
                } as! [[String: Any]]
                let returnId = expected.first { $0["orderRef"] as? String == ref }!["id"] as! String
                try await bz.call("logistics", "POST", "/returns/\(returnId)/receive",
                                  #"{"condition":"resellable","inspectedBy":"warehouse.sh"}"#, expect: 200)
                // A second case cannot send back the same goods again: only 2 of the 4 are left to return.
                try await bz.publish("complaint.open", """
                    {"channel":"email","orderRef":"\(ref)","category":"quality","description":"the others are bent too"}
                    """, correlationId: ref)
                let second = try await bz.until("customer-service", "/complaints?order=\(ref)&status=open", "second complaint") {
                    ($0 as? [Any])?.count == 1
                } as! [[String: Any]]
                let secondNumber = second[0]["caseNumber"] as! String
                let tooMany = try await bz.call("customer-service", "POST", "/complaints/\(secondNumber)/resolve",
                                                #"{"resolution":"return","lines":[{"sku":"\#(sku)","quantity":3}]}"#, expect: 422)
                #expect("\(tooMany)".contains("return 1 to 2"))
                // Finance credits 2 × 1,500, which clears the invoice together with the payment: the
                // order completes; the case closes with the credit note.
                let invoice = try await bz.until("finance", "/invoices?order=\(ref)", "credit note applied") {
                    int64(($0 as? [[String: Any]])?.first?["outstanding"]) == 0
                } as! [[String: Any]]
                #expect(int64(invoice[0]["amount"]) == 6_000 && invoice[0]["status"] as? String == "paid")
                try await bz.waitStatus(ref, "completed")
                let closed = try await bz.until("customer-service", "/complaints/\(number)", "case resolved") {
                    ($0 as? [String: Any])?["status"] as? String == "resolved"
                } as! [String: Any]
                #expect((closed["resolutionNote"] as? String ?? "").contains("credit note CN-"))
                let stock = (try await bz.items("logistics", "/stock?sku=\(sku)")).first!
                #expect(int64(stock["onHand"]) == 8)  // 10 − 4 dispatched + 2 back
            }
        }
    }
}
