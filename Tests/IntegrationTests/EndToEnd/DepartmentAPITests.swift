import Foundation
import Messaging
import Storage
import Testing

extension EndToEnd {
    /// What people in each department do through the HTTP APIs, and what outside systems hear
    /// back on `reply_to`, against the five real processes.
    @Suite struct DepartmentAPITests {
        @Test func peopleDoTheirWorkThroughTheHTTPAPIsAndBadRequestsSayWhatIsWrong() async throws {
            try await Bizops.with { bz in
                let customer = "API-\(bz.run)", sku = "SKU-\(bz.run)", ref = "API-\(bz.run)", other = "API2-\(bz.run)"
                // Master data: validated, with the field named.
                let badCustomer = try await bz.call("sales", "PUT", "/customers/\(customer)", #"{"name":"X","currency":"yuan"}"#, expect: 400)
                #expect("\(badCustomer)".contains("currency"))
                let badTier = try await bz.call("sales", "PUT", "/products/\(sku)",
                                                #"{"name":"X","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":0}]}"#, expect: 400)
                #expect("\(badTier)".contains("tiers[0].unitPrice"))
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 500, stock: 0)
                let badReceipt = try await bz.call("logistics", "POST", "/stock/receipts",
                                                   #"{"warehouse":"SH-01","sku":"\#(sku)","quantity":0,"reference":"R"}"#, expect: 400)
                #expect("\(badReceipt)".contains("quantity"))
                try await bz.call("logistics", "POST", "/stock/receipts",
                                  #"{"warehouse":"NOWHERE","sku":"\#(sku)","quantity":5,"reference":"R-\#(bz.run)"}"#, expect: 422)
                try await bz.call("finance", "GET", "/customers/NOBODY-\(bz.run)/account", expect: 404)
                try await bz.receive(sku, 20, reference: "REC-\(bz.run)")

                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 4)])
                try await bz.placeOrder(other, customer: customer, lines: [(sku, 1)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.waitStatus(other, "reserved")
                // Sales cancels one at the customer's request; the warehouse gives the stock back first.
                let cancelling = try await bz.call("sales", "POST", "/orders/\(other)/cancel", #"{"reason":"phoned in"}"#, expect: 202)
                #expect((cancelling as? [String: Any])?["status"] as? String == "cancelling")
                try await bz.waitStatus(other, "cancelled")
                #expect(try await bz.order(other)["reasonCode"] as? String == "cancelled")
                try await bz.call("sales", "POST", "/orders/NOPE-\(bz.run)/cancel", "{}", expect: 404)
                // The warehouse dispatches once finance cleared the order; doing it twice changes nothing.
                try await bz.waitCleared(ref)
                let shipped = try await bz.call("logistics", "POST", "/orders/\(ref)/dispatch", #"{"carrier":"ZTO"}"#, expect: 200)
                #expect((shipped as? [String: Any])?["shipmentId"] != nil)
                let again = try await bz.call("logistics", "POST", "/orders/\(ref)/dispatch", "{}", expect: 200)
                #expect("\(again)".contains("nothing changed"))
                try await bz.waitStatus(ref, "dispatched")
                // A delivery counts only when signed.
                let unsigned = try await bz.call("logistics", "POST", "/orders/\(ref)/deliver", #"{"signedBy":"","signedAt":"2026-12-02T10:00:00Z"}"#,
                                                 expect: 400)
                #expect("\(unsigned)".contains("signedBy"))
                try await bz.call("logistics", "POST", "/orders/\(ref)/deliver", #"{"signedBy":"Mr Zhou","signedAt":"2026-12-02T10:00:00Z"}"#,
                                  expect: 200)
                let invoices = try await bz.until("finance", "/invoices?order=\(ref)", "invoice") { ($0 as? [Any])?.count == 1 }
                let number = (invoices as! [[String: Any]])[0]["invoiceNumber"] as! String
                // Finance records the bank's payments: partial, repeated, conflicting, unknown.
                func payment(_ amount: Int, _ bank: String, invoice: String) -> String {
                    #"{"amount":\#(amount),"currency":"CNY","invoiceNumber":"\#(invoice)","bankReference":"\#(bank)","valueDate":"2026-12-10"}"#
                }
                try await bz.call("finance", "POST", "/payments", payment(1_500, "B1-\(bz.run)", invoice: number), expect: 201)
                let repeated = try await bz.call("finance", "POST", "/payments", payment(1_500, "B1-\(bz.run)", invoice: number), expect: 200)
                #expect("\(repeated)".contains("recorded before"))
                let conflicting = try await bz.call("finance", "POST", "/payments", payment(999, "B1-\(bz.run)", invoice: number), expect: 409)
                #expect("\(conflicting)".contains("conflicting-payment"))
                let stray = try await bz.call("finance", "POST", "/payments", payment(777, "B2-\(bz.run)", invoice: "INV-NOPE"), expect: 201)
                #expect(int64((stray as? [String: Any])?["unallocated"]) == 777)
                try await bz.call("finance", "POST", "/payments", payment(500, "B3-\(bz.run)", invoice: number), expect: 201)
                try await bz.waitStatus(ref, "completed")
                let journal = try await bz.get("finance", "/journal?reference=\(number)") as! [[String: Any]]
                for entry in journal {
                    let lines = entry["lines"] as! [[String: Any]]
                    #expect(lines.reduce(0) { $0 + int64($1["debit"])! } == lines.reduce(0) { $0 + int64($1["credit"])! })
                }
                // Whatever code writes to the books, an unbalanced entry cannot commit.
                let books = TestServers.pool(schema: "finance", size: 1)
                await #expect(throws: PostgresError.self) {
                    try await books.transaction { tx in
                        let id = try tx.query("""
                            INSERT INTO journal_entries (entry_date, memo, reference, currency) VALUES ('2026-12-10', 'bad', 'TEST', 'CNY')
                            RETURNING id
                            """).first!.int("id")
                        try tx.execute("INSERT INTO journal_lines (entry_id, account, debit, credit) VALUES ($1, '1000 Bank', 100, 0)", [.int(id)])
                    }
                }
                let balance = (try await bz.get("finance", "/trial-balance") as! [String: Any])["lines"] as! [[String: Any]]
                #expect(balance.contains { ($0["account"] as? String)?.hasPrefix("2900") == true })
                // Customer service takes a call, answers it, and does the revisit.
                let opened = try await bz.call("customer-service", "POST", "/complaints",
                                               #"{"channel":"phone","orderRef":"\#(ref)","category":"billing","description":"invoice address wrong"}"#,
                                               expect: 201) as! [String: Any]
                #expect(opened["routedTo"] as? String == "finance")
                let caseNumber = opened["caseNumber"] as! String
                try await bz.call("customer-service", "POST", "/complaints", #"{"channel":"fax","orderRef":"\#(ref)","category":"billing","description":"x"}"#,
                                  expect: 400)
                try await bz.call("customer-service", "POST", "/complaints/\(caseNumber)/resolve",
                                  #"{"resolution":"explanation","note":"address corrected, new copy sent"}"#, expect: 200)
                try await bz.call("customer-service", "POST", "/complaints/\(caseNumber)/resolve", #"{"resolution":"explanation"}"#, expect: 409)
                let closed = try await bz.get("customer-service", "/complaints/\(caseNumber)") as! [String: Any]
                #expect(closed["status"] as? String == "resolved" && (closed["log"] as? [Any])?.count == 2)
                try await bz.until("customer-service", "/revisits?status=due&order=\(ref)", "revisit due") {
                    (($0 as? [[String: Any]]) ?? []).contains { $0["orderRef"] as? String == ref }
                }
                try await bz.call("customer-service", "POST", "/revisits/\(ref)/complete", #"{"satisfaction":9}"#, expect: 400)
                try await bz.call("customer-service", "POST", "/revisits/\(ref)/complete", #"{"satisfaction":5,"note":"happy"}"#, expect: 200)
                try await bz.call("customer-service", "POST", "/revisits/\(ref)/complete", #"{"satisfaction":5}"#, expect: 404)
                // The ledger tells the order's stock story.
                let movements = try await bz.items("logistics", "/movements?order=\(ref)")
                #expect(Set(movements.map { $0["kind"] as! String }) == ["reserve", "dispatch"])
                let lists = try await bz.get("sales", "/orders?customer=\(customer)&status=cancelled") as! [[String: Any]]
                #expect(lists.map { $0["orderRef"] as? String } == [other])
            }
        }

        @Test func everyCommandAnswersItsReplyToWithTheSameCorrelationId() async throws {
            try await Bizops.with { bz in
                let customer = "RPL-\(bz.run)", sku = "SKU-\(bz.run)", ref = "RPL-\(bz.run)"
                try await bz.customer(customer, limit: 1_000_000)
                try await bz.product(sku, price: 100, stock: 10)
                let replies = try await bz.queue("answers")
                func ask(_ key: String, _ json: String) async throws -> (type: String, body: String, warning: String?) {
                    try await bz.publish(key, json, correlationId: ref, replyTo: replies)
                    let answer = try await TestBus.drain(replies, expected: 1, timeout: 20)
                    #expect(answer.count == 1, "\(key) answered \(answer.count) times")
                    #expect(answer.first?.properties.correlationId == ref)
                    let headers = answer.first?.properties.headers ?? [:]
                    let why = headers["x-warning"]?.description ?? ""
                    if headers["x-warning-code"] != nil { #expect(why.count > 0, "a warning says why") }
                    return (answer.first?.properties.type ?? "none", String(decoding: answer.first?.body ?? Data(), as: UTF8.self),
                            headers["x-warning-code"]?.description)
                }
                try await bz.placeOrder(ref, customer: customer, lines: [(sku, 2)])
                try await bz.waitStatus(ref, "reserved")
                try await bz.waitCleared(ref)
                #expect(try await ask("shipment.dispatch", #"{"orderRef":"\#(ref)"}"#).type == "logistics.shipment.dispatched.v1")
                let repeated = try await ask("shipment.dispatch", #"{"orderRef":"\#(ref)"}"#)
                #expect(repeated.type == "bizops.command.outcome.v1" && repeated.body.contains("already-dispatched"))
                let refused = try await ask("shipment.deliver", #"{"orderRef":"\#(ref)","signedBy":"","signedAt":"2026-12-02T10:00:00Z"}"#)
                #expect(refused.type == "bizops.command.outcome.v1" && refused.body.contains(#""outcome":"rejected""#)
                        && refused.body.contains("invalid-field") && refused.body.contains("signedBy"))
                #expect(try await ask("shipment.deliver", #"{"orderRef":"\#(ref)","signedBy":"Ms Lin","signedAt":"2026-12-02T10:00:00Z"}"#).type
                        == "logistics.shipment.delivered.v1")
                try await bz.until("finance", "/invoices?order=\(ref)", "invoice") { ($0 as? [Any])?.count == 1 }
                let paid = try await ask("payment.record",
                                         #"{"amount":200,"currency":"CNY","orderRef":"\#(ref)","bankReference":"ANS-\#(bz.run)","valueDate":"2026-12-03"}"#)
                #expect(paid.type == "finance.payment.received.v1" && paid.warning == nil)
                let opened = try await ask("complaint.open", #"{"channel":"email","orderRef":"\#(ref)","category":"service","description":"slow"}"#)
                #expect(opened.type == "customer_service.complaint.opened.v1" && opened.warning == nil)
                // Never refused, never lost: a payment and a complaint about an order nobody knows are
                // taken, and their answers warn the sender.
                let stray = try await ask("payment.record",
                                          #"{"amount":300,"currency":"CNY","orderRef":"NOPE-\#(bz.run)","bankReference":"ANS2-\#(bz.run)","valueDate":"2026-12-03"}"#)
                #expect(stray.type == "finance.payment.received.v1" && stray.warning == "unallocated" && stray.body.contains(#""unallocated":300"#))
                let orphan = try await ask("complaint.open", #"{"channel":"phone","orderRef":"NOPE-\#(bz.run)","category":"service","description":"?"}"#)
                #expect(orphan.type == "customer_service.complaint.opened.v1" && orphan.warning == "order-unknown")
                // An order logistics never hears of: the command waits for its acceptance (3 s here), then is refused.
                let unknown = try await ask("shipment.dispatch", #"{"orderRef":"NOPE-\#(bz.run)"}"#)
                #expect(unknown.body.contains(#""outcome":"refused""#) && unknown.body.contains("unknown-order"))
            }
        }
    }
}
