import Foundation
import Testing

extension EndToEnd {
    /// Quote → contract → order across the five real processes: the draft is reviewed over the bus
    /// by finance, logistics and risk and by a person with the legal role, signed by a salesperson
    /// within their limit, its terms kept by finance and logistics, and an order under it is
    /// priced by the contract and billed on its terms to completion; a draft a department rejects
    /// cannot be signed.
    @Suite struct ContractTests {
        static let salesperson = SignIn.person("wang.fang")

        func quote(_ bz: Bizops, _ quoteNo: String, customer: String, sku: String, price: Int64) async throws {
            let until = String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400)).prefix(10))
            try await bz.call("sales", "POST", "/quotes/\(quoteNo)/versions",
                              #"{"customerCode":"\#(customer)","stage":"initial","validUntil":"\#(until)","lines":[{"sku":"\#(sku)","priceBand":{"low":480,"high":520}}]}"#,
                              expect: 201, as: Self.salesperson)
            try await bz.call("sales", "POST", "/quotes/\(quoteNo)/versions",
                              #"{"customerCode":"\#(customer)","stage":"final","validUntil":"\#(until)","paymentTerms":{"kind":"net","netDays":30},"lines":[{"sku":"\#(sku)","quantity":200,"unitPrice":\#(price)}]}"#,
                              expect: 201, as: Self.salesperson)
            try await bz.call("sales", "POST", "/quotes/\(quoteNo)/accept", #"{"version":2}"#, expect: 200, as: Self.salesperson)
        }

        static func draft(_ quoteNo: String, netDays: Int = 30, deposit: Int? = nil) -> String {
            let day = ISO8601DateFormatter()
            let from = String(day.string(from: Date()).prefix(10)), until = String(day.string(from: Date().addingTimeInterval(300 * 86_400)).prefix(10))
            return #"{"quoteNo":"\#(quoteNo)","paymentTerms":\#(deposit.map { #"{"kind":"deposit","depositPercent":\#($0),"netDays":\#(netDays)}"# } ?? #"{"kind":"net","netDays":\#(netDays)}"#),"delivery":{"leadTimeDays":7},"liability":"0.05 % a day late","returnsTerms":"defective goods replaced","validFrom":"\#(from)","validUntil":"\#(until)"}"#
        }

        func reviews(_ contract: Any) -> [String: String] {
            let revision = ((contract as? [String: Any])?["revisions"] as? [[String: Any]])?.last
            return Dictionary(uniqueKeysWithValues: ((revision?["reviews"] as? [[String: Any]]) ?? []).map {
                ($0["reviewer"] as? String ?? "", $0["outcome"] as? String ?? "")
            })
        }

        @Test func aQuoteBecomesAContractReviewedOverTheBusAndSignedAndAnOrderUnderItIsPricedAndBilledByIt() async throws {
            try await Bizops.with { bz in
                let customer = "K-\(bz.run)", sku = "KSKU-\(bz.run)", quoteNo = "Q-\(bz.run)", contractNo = "K-\(bz.run)"
                try await bz.customer(customer, limit: 10_000_000)
                try await bz.product(sku, price: 500, stock: 500)
                try await quote(bz, quoteNo, customer: customer, sku: sku, price: 480)
                // A 30 % deposit, though the customer's own terms are net 30.
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/revisions", Self.draft(quoteNo, deposit: 30), expect: 201, as: Self.salesperson)
                // Finance, logistics and risk answer on the bus.
                let reviewed = try await bz.until("sales", "/contracts/\(contractNo)", "contract reviewed by the departments") {
                    let r = reviews($0)
                    return r["finance"] == "approved" && r["logistics"] == "approved" && r["risk"] == "approved"
                }
                #expect(reviews(reviewed)["legal"] == "pending")
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/sign", "{}", expect: 409, as: Self.salesperson)
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/legal-review", #"{"outcome":"approved","remarks":"standard terms"}"#,
                                  expect: 200, as: SignIn.person("legal.ma"))
                let signed = try await bz.call("sales", "POST", "/contracts/\(contractNo)/sign", #"{"revision":1}"#, expect: 200, as: Self.salesperson)
                #expect((signed as? [String: Any])?["signedBy"] as? String == "wang.fang")
                // Copies go to finance and logistics.
                let terms = try await bz.until("finance", "/contracts/\(contractNo)", "finance keeps the payment terms") { _ in true }
                #expect(((terms as? [String: Any])?["paymentTerms"] as? [String: Any])?["depositPercent"] as? Int == 30)
                #expect((terms as? [String: Any])?["value"] as? Int == 96_000)
                let delivery = try await bz.until("logistics", "/contracts/\(contractNo)", "logistics keeps the delivery terms") { _ in true }
                #expect(((delivery as? [String: Any])?["delivery"] as? [String: Any])?["leadTimeDays"] as? Int == 7)
                let given = try await bz.get("risk", "/contract-reviews/\(contractNo)")
                #expect(((given as? [String: Any])?["reviews"] as? [[String: Any]])?.first?["outcome"] as? String == "approved")
                // An ERP orders 100 under the contract (order.place.v2): the contract's 480, not the list's 500.
                let ref = "KO-\(bz.run)"
                try await TestBus.send([TestBus.command("order.place", """
                    {"orderRef":"\(ref)","customerCode":"\(customer)","contractNo":"\(contractNo)","lines":[{"sku":"\(sku)","quantity":100}],
                     "deliveryAddress":{"line1":"1 Test Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-20"}
                    """, correlationId: ref, type: "order.place.v2")])
                try await bz.waitStatus(ref, "reserved")
                #expect(int64(try await bz.order(ref)["total"]) == 48_000)
                // Billed on the contract's terms: a 30 % deposit first, then the rest on delivery.
                let deposit = try await bz.until("finance", "/invoices?order=\(ref)", "deposit invoice") { ($0 as? [Any])?.count == 1 }
                #expect((deposit as! [[String: Any]])[0]["kind"] as? String == "deposit" && int64((deposit as! [[String: Any]])[0]["amount"]) == 14_400)
                try await bz.pay(ref, amount: 14_400, bankReference: "KD-\(ref)")
                try await bz.dispatchAndWait(ref)
                try await bz.deliver(ref)
                let invoices = try await bz.until("finance", "/invoices?order=\(ref)", "final invoice") { ($0 as? [Any])?.count == 2 }
                let final = (invoices as! [[String: Any]]).first { $0["kind"] as? String == "final" }!
                #expect(int64(final["amount"]) == 33_600)
                try await bz.pay(ref, amount: 33_600, bankReference: "KF-\(ref)")
                try await bz.waitStatus(ref, "completed")
                // What is left of the volume: 100 of 200.
                try await TestBus.send([TestBus.command("order.place", """
                    {"orderRef":"\(ref)-2","customerCode":"\(customer)","contractNo":"\(contractNo)","lines":[{"sku":"\(sku)","quantity":101}],
                     "deliveryAddress":{"line1":"1 Test Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-20"}
                    """, correlationId: "\(ref)-2", type: "order.place.v2")])
                try await bz.waitStatus("\(ref)-2", "rejected")
                #expect(try await bz.order("\(ref)-2")["reasonCode"] as? String == "volume-exceeded")
            }
        }

        @Test func aDraftAReviewerRejectsCannotBeSignedUntilARevisionPassesItsReview() async throws {
            try await Bizops.with { bz in
                let customer = "KR-\(bz.run)", sku = "KRSKU-\(bz.run)", quoteNo = "QR-\(bz.run)", contractNo = "KR-\(bz.run)"
                try await bz.customer(customer, limit: 10_000_000)
                try await bz.product(sku, price: 500, stock: 500)
                try await quote(bz, quoteNo, customer: customer, sku: sku, price: 480)
                // Net 60 is looser than the customer's net 30 on file: finance rejects.
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/revisions", Self.draft(quoteNo, netDays: 60), expect: 201, as: Self.salesperson)
                try await bz.until("sales", "/contracts/\(contractNo)", "finance rejects") { reviews($0)["finance"] == "rejected" }
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/legal-review", #"{"outcome":"approved","remarks":"fine"}"#,
                                  expect: 200, as: SignIn.person("legal.ma"))
                let refused = try await bz.call("sales", "POST", "/contracts/\(contractNo)/sign", "{}", expect: 409, as: Self.salesperson)
                #expect("\(refused)".contains("review-rejected"))
                // Net 30: finance, risk and legal review again; logistics' approval carries over.
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/revisions", Self.draft(quoteNo), expect: 201, as: Self.salesperson)
                try await bz.until("sales", "/contracts/\(contractNo)", "finance approves revision 2") {
                    let r = reviews($0)
                    return r["finance"] == "approved" && r["risk"] == "approved" && r["logistics"] == "approved"
                }
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/legal-review", #"{"outcome":"approved","remarks":"fine"}"#,
                                  expect: 200, as: SignIn.person("legal.ma"))
                try await bz.call("sales", "POST", "/contracts/\(contractNo)/sign", #"{"revision":2}"#, expect: 200, as: Self.salesperson)
            }
        }
    }
}
