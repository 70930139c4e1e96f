import Contracts
import FinanceService
import Foundation
import Hummingbird
import HummingbirdTesting
import LogisticsService
import RiskService
import SalesService
import Storage
import Testing

/// A contract's review across the departments, in-process against the real PostgreSQL: sales
/// drafts it from an accepted quote, the draft event goes to finance, logistics and risk (each in
/// its own scratch schema, as the bus would deliver it), their answers come back to sales, legal
/// reviews over HTTP, and only then a signer within their limit signs; each department's rule
/// can reject; a revision re-opens only the reviews whose terms it changed.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct ContractInProcessTests {
    static let salesperson = "wang.fang"

    struct Departments {
        let sales: ServiceHarness, finance: ServiceHarness, logistics: ServiceHarness, risk: ServiceHarness
        func cleanUp() async { for service in [sales, finance, logistics, risk] { await service.cleanUp() } }
    }

    func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    /// The four departments with a product, a customer with an accepted final quote for 200 at 450,
    /// stock for it, and credit.
    func departments(creditLimit: Int64 = 10_000_000, stock: Int64 = 500, price: Int64 = 450) async throws -> Departments {
        let d = Departments(sales: try await ServiceHarness.make(Sales.spec), finance: try await ServiceHarness.make(Finance.spec),
                            logistics: try await ServiceHarness.make(Logistics.spec), risk: try await ServiceHarness.make(Risk.spec))
        #expect(try await d.sales.call("sales.dir", .put, "/products/S-1",
                                       #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500},{"currency":"CNY","minQuantity":100,"unitPrice":450}]}"#).status == .ok)
        #expect(try await d.sales.call("sales.dir", .put, "/customers/C-1", #"{"name":"Acme","currency":"CNY"}"#).status == .ok)
        let until = BusinessDate(Date().addingTimeInterval(30 * 86_400)).description
        #expect(try await d.sales.call(Self.salesperson, .post, "/quotes/Q-1/versions",
                                       #"{"customerCode":"C-1","stage":"final","validUntil":"\#(until)","paymentTerms":{"kind":"net","netDays":30},"lines":[{"sku":"S-1","quantity":200,"unitPrice":\#(price)}]}"#).status == .created)
        #expect(try await d.sales.call(Self.salesperson, .post, "/quotes/Q-1/accept", "{}").status == .ok)
        #expect(try await d.logistics.call("log.dir", .put, "/warehouses/WH-1", #"{"name":"Main","branch":"Hangzhou"}"#).status == .ok)
        if stock > 0 {
            #expect(try await d.logistics.call("log.dir", .post, "/stock/receipts",
                                               #"{"warehouse":"WH-1","sku":"S-1","quantity":\#(stock),"reference":"R-1","purchaseOrder":"PO-1"}"#).status == .created)
        }
        if creditLimit > 0 {
            #expect(try await d.risk.call("risk.dir", .put, "/customers/C-1/credit", #"{"creditLimit":\#(creditLimit),"currency":"CNY","rating":"A"}"#).status == .ok)
        }
        return d
    }

    static func draft(payment: String = #"{"kind":"net","netDays":30}"#, lead: Int = 7, liability: String = "0.05 % of the order value a day late") -> String {
        let until = BusinessDate(Date().addingTimeInterval(300 * 86_400)).description, from = BusinessDate(Date()).description
        return #"{"quoteNo":"Q-1","paymentTerms":\#(payment),"delivery":{"leadTimeDays":\#(lead),"shipping":"carriage paid"},"liability":"\#(liability)","returnsTerms":"defective goods replaced within 30 days","validFrom":"\#(from)","validUntil":"\#(until)"}"#
    }

    /// The newest draft event goes to the three reviewing departments; their answers come back to sales.
    func review(_ d: Departments) async throws {
        let body = try #require(try await d.sales.outbox("sales.contract.drafted.v1").last?.body)
        let drafted = try ContractRegistry.decodeStrict(ContractDrafted.self, from: JSONSerialization.data(withJSONObject: body))
        for department in [d.finance, d.logistics, d.risk] {
            try await department.deliver(drafted)
            try await department.deliver(drafted)   // redelivered: answered once
        }
        for (service, type) in [(d.finance, FinanceContractReviewed.self as any ContractReviewedEvent.Type),
                                (d.logistics, LogisticsContractReviewed.self), (d.risk, RiskContractReviewed.self)] {
            for answer in try await service.outbox(type.messageType) {
                try await deliverAnswer(type, answer.body, to: d.sales)
            }
        }
    }

    func deliverAnswer(_ type: any ContractReviewedEvent.Type, _ body: [String: Any], to sales: ServiceHarness) async throws {
        let data = try JSONSerialization.data(withJSONObject: body)
        try await sales.deliver(try ContractRegistry.decodeStrict(type, from: data))
    }

    func reviews(_ d: Departments, _ contractNo: String) async throws -> [String: String] {
        let contract = try await d.sales.call(Self.salesperson, .get, "/contracts/\(contractNo)")
        let revision = try #require((contract.json["revisions"] as? [[String: Any]])?.last)
        return Dictionary(uniqueKeysWithValues: ((revision["reviews"] as? [[String: Any]]) ?? []).map {
            ($0["reviewer"] as? String ?? "", $0["outcome"] as? String ?? "")
        })
    }

    @Test func aDraftReviewedByEveryDepartmentAndLegalIsSignedAndItsTermsKept() async throws {
        let d = try await departments()
        let drafted = try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/revisions", Self.draft())
        #expect(drafted.status == .created && int64(drafted.json["revision"]) == 1 && drafted.json["status"] as? String == "draft")
        let event = try #require(try await d.sales.outbox("sales.contract.drafted.v1").first)
        #expect(event.body["review"] as? [String] == ["finance", "logistics", "risk", "legal"] && int64(event.body["value"]) == 90_000)
        // Not before the reviews.
        #expect(code(try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/sign", "{}").json) == "review-incomplete")
        try await review(d)
        for service in [d.finance, d.logistics, d.risk] {
            let answers = try await service.outbox().filter { $0.type.hasSuffix(".contract.reviewed.v1") }
            #expect(answers.count == 1 && answers.first?.body["outcome"] as? String == "approved", "\(service.spec.id): \(answers.map(\.body))")
        }
        #expect(try await reviews(d, "K-1") == ["finance": "approved", "logistics": "approved", "risk": "approved", "legal": "pending"])
        // Legal alone reviews the terms, and reads the contract to do it.
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/legal-review", #"{"outcome":"approved","remarks":"ok"}"#).status == .forbidden)
        #expect(try await d.sales.call("legal.ma", .get, "/contracts/K-1").status == .ok)
        let legal = try await d.sales.call("legal.ma", .post, "/contracts/K-1/legal-review", #"{"outcome":"approved","remarks":"standard terms","revision":1}"#)
        #expect(legal.status == .ok)
        // 90,000 is within a salesperson's limit for signing.
        let signed = try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/sign", #"{"revision":1}"#)
        #expect(signed.status == .ok && signed.json["status"] as? String == "signed" && signed.json["signedBy"] as? String == Self.salesperson)
        let signedEvent = try #require(try await d.sales.outbox("sales.contract.signed.v1").first)
        #expect(code(try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/sign", "{}").json) == "contract-signed")
        #expect(code(try await d.sales.call(Self.salesperson, .post, "/contracts/K-1/revisions", Self.draft(lead: 9)).json) == "contract-signed")
        // Finance keeps the payment terms, logistics the delivery terms.
        let contract = try ContractRegistry.decodeStrict(ContractSigned.self, from: JSONSerialization.data(withJSONObject: signedEvent.body))
        try await d.finance.deliver(contract)
        try await d.logistics.deliver(contract)
        let kept = try await d.finance.pool.query("SELECT payment_terms->>'kind' AS kind, value FROM contracts WHERE contract_no = 'K-1'")
        #expect(try kept.first?.string("kind") == "net" && kept.first?.int("value") == 90_000)
        let delivery = try await d.logistics.pool.query("SELECT delivery->>'leadTimeDays' AS lead FROM contracts WHERE contract_no = 'K-1'")
        #expect(try delivery.first?.string("lead") == "7")
        await d.cleanUp()
    }

    @Test func eachDepartmentsRuleCanRejectAndARejectedDraftCannotBeSigned() async throws {
        // Risk: 90,000 beyond a limit of 50,000. Logistics: 50 in stock for a volume of 200 in 7 days.
        let d = try await departments(creditLimit: 50_000, stock: 50)
        // Finance: net 60 against the customer's standard net 30.
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-2/revisions", Self.draft(payment: #"{"kind":"net","netDays":60}"#)).status == .created)
        try await review(d)
        #expect(try await reviews(d, "K-2") == ["finance": "rejected", "logistics": "rejected", "risk": "rejected", "legal": "pending"])
        let remarks = try await d.finance.outbox(FinanceContractReviewed.messageType).first?.body["remarks"] as? String
        #expect(remarks?.contains("net 60 days") == true)
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-2/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        #expect(code(try await d.sales.call(Self.salesperson, .post, "/contracts/K-2/sign", "{}").json) == "review-rejected")
        #expect(try await d.sales.outbox("sales.contract.signed.v1").isEmpty)
        await d.cleanUp()
    }

    @Test func aRevisionReopensOnlyTheReviewsItTouchesAndASignatureBeyondTheLimitWaitsForApproval() async throws {
        let d = try await departments(creditLimit: 100_000_000)
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-3/revisions", Self.draft(lead: 1)).status == .created)
        try await review(d)
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-3/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        #expect(try await reviews(d, "K-3") == ["finance": "approved", "logistics": "rejected", "risk": "approved", "legal": "approved"])
        // The same revision again (a retry) changes nothing.
        #expect(int64(try await d.sales.call(Self.salesperson, .post, "/contracts/K-3/revisions", Self.draft(lead: 1)).json["revision"]) == 1)
        // A longer lead time: logistics and legal review again; finance's and risk's answers carry over.
        let revised = try await d.sales.call(Self.salesperson, .post, "/contracts/K-3/revisions", Self.draft(lead: 10))
        #expect(int64(revised.json["revision"]) == 2)
        #expect(try await d.sales.outbox("sales.contract.drafted.v1").last?.body["review"] as? [String] == ["logistics", "legal"])
        #expect(try await reviews(d, "K-3") == ["finance": "approved", "logistics": "pending", "risk": "approved", "legal": "pending"])
        // An answer to the old revision arriving late (here a made-up approval) leaves the new one waiting.
        try await d.sales.deliver(LogisticsContractReviewed(contractNo: "K-3", revision: 1, outcome: "approved", remarks: "late"))
        #expect(try await reviews(d, "K-3")["logistics"] == "pending")
        try await review(d)
        #expect(try await reviews(d, "K-3")["logistics"] == "approved")
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-3/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        // A salesperson's signing limit is 1,000,000; make the value beyond it through the approval limit instead.
        #expect(try await d.sales.call("sales.dir", .put, "/authority-limits/contract.sign/sales:staff", #"{"limit":50000,"note":"test"}"#).status == .ok)
        let asked = try await d.sales.call(Self.salesperson, .post, "/contracts/K-3/sign", "{}")
        #expect(asked.status == .accepted && (asked.json["approval"] as? [String: Any])?["approverRole"] as? String == "sales:manager")
        #expect(try await d.sales.outbox("sales.contract.signed.v1").isEmpty)
        let id = try #require((asked.json["approval"] as? [String: Any])?["id"] as? String)
        #expect(try await d.sales.call("sales.mgr", .post, "/approvals/\(id)/approve", #"{"reason":"key account"}"#).status == .ok)
        let signed = try await d.sales.call(Self.salesperson, .get, "/contracts/K-3")
        #expect(signed.json["status"] as? String == "signed" && signed.json["signedBy"] as? String == Self.salesperson)
        #expect(int64(try await d.sales.outbox("sales.contract.signed.v1").first?.body["revision"]) == 2)
        await d.cleanUp()
    }

    @Test func onlyAnAcceptedValidQuoteBecomesAContract() async throws {
        let d = try await departments()
        let until = BusinessDate(Date()).description
        #expect(try await d.sales.call(Self.salesperson, .post, "/quotes/Q-2/versions",
                                       #"{"customerCode":"C-1","stage":"final","validUntil":"\#(until)","paymentTerms":{"kind":"net","netDays":30},"lines":[{"sku":"S-1","quantity":10,"unitPrice":500}]}"#).status == .created)
        let open = try await d.sales.call(Self.salesperson, .post, "/contracts/K-4/revisions", Self.draft().replacingOccurrences(of: "Q-1", with: "Q-2"))
        #expect(code(open.json) == "quote-not-accepted")
        let tomorrow = BusinessDate(Date().addingTimeInterval(86_400)).description
        #expect(try await d.sales.call("sales.mgr", .post, "/quote-expiry/run", #"{"asOf":"\#(tomorrow)"}"#).json["expired"] as? [String] == ["Q-2"])
        let expired = try await d.sales.call(Self.salesperson, .post, "/contracts/K-4/revisions", Self.draft().replacingOccurrences(of: "Q-1", with: "Q-2"))
        #expect(code(expired.json) == "quote-not-accepted" && (((expired.json["error"] as? [String: Any])?["message"] as? String) ?? "").contains("expired"))
        #expect(try await d.sales.call(Self.salesperson, .get, "/contracts/K-4").status == .notFound, "nothing kept of a refused draft")
        // One contract per quote.
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-5/revisions", Self.draft()).status == .created)
        #expect(code(try await d.sales.call(Self.salesperson, .post, "/contracts/K-6/revisions", Self.draft()).json) == "invalid-field")
        await d.cleanUp()
    }

    func order(_ ref: String, contractNo: String? = nil, quoteNo: String? = nil, sku: String = "S-1", quantity: Int64) throws -> PlaceOrderV2 {
        let basis = (contractNo.map { #","contractNo":"\#($0)""# } ?? "") + (quoteNo.map { #","quoteNo":"\#($0)""# } ?? "")
        return try ContractRegistry.decodeStrict(PlaceOrderV2.self, from: Data("""
            {"orderRef":"\(ref)","customerCode":"C-1","lines":[{"sku":"\(sku)","quantity":\(quantity)}]\(basis),
             "deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-20"}
            """.utf8))
    }

    func rejection(_ sales: ServiceHarness, _ ref: String) async throws -> String? {
        try await sales.outbox("sales.order.rejected.v1").last { $0.body["orderRef"] as? String == ref }?.body["reasonCode"] as? String
    }

    @Test func ordersUnderASignedContractTakeItsPricesWithinItsVolumeAndAreBilledOnItsTerms() async throws {
        let d = try await departments(price: 440)
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-7/revisions",
                                       Self.draft(payment: #"{"kind":"deposit","depositPercent":30,"netDays":30}"#)).status == .created)
        try await d.sales.deliver(try order("O-0", contractNo: "K-7", quantity: 1))
        #expect(try await rejection(d.sales, "O-0") == "contract-not-signed")
        try await review(d)
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-7/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-7/sign", "{}").status == .ok)
        // The contract's price (440, below the list's 450), and its number on the order.
        try await d.sales.deliver(try order("O-1", contractNo: "K-7", quantity: 150), replyTo: "tests.answers")
        let placed = try #require(try await d.sales.outbox("sales.order.placed.v1").first { $0.body["orderRef"] as? String == "O-1" })
        #expect(placed.body["contractNo"] as? String == "K-7" && int64(placed.body["total"]) == 66_000)
        // 50 of the 200 are left: 60 is too many, 50 is not; a SKU not on it, and another customer's number, are refused.
        try await d.sales.deliver(try order("O-2", contractNo: "K-7", quantity: 60))
        #expect(try await rejection(d.sales, "O-2") == "volume-exceeded")
        try await d.sales.deliver(try order("O-3", contractNo: "K-7", quantity: 50))
        #expect(try await d.sales.outbox("sales.order.placed.v1").contains { $0.body["orderRef"] as? String == "O-3" })
        try await d.sales.deliver(try order("O-4", contractNo: "K-7", quantity: 1))
        #expect(try await rejection(d.sales, "O-4") == "volume-exceeded")
        try await d.sales.deliver(try order("O-5", contractNo: "K-7", sku: "S-9", quantity: 1))
        #expect(try await rejection(d.sales, "O-5") == "not-on-contract")
        try await d.sales.deliver(try order("O-6", contractNo: "K-NOPE", quantity: 1))
        #expect(try await rejection(d.sales, "O-6") == "unknown-contract")
        // A cancelled order gives its volume back.
        let cancel = try await d.sales.call(Self.salesperson, .post, "/orders/O-3/cancel", #"{"reason":"changed their mind"}"#)
        #expect(cancel.status == .ok)
        try await d.sales.deliver(try order("O-7", contractNo: "K-7", quantity: 50))
        #expect(try await d.sales.outbox("sales.order.placed.v1").contains { $0.body["orderRef"] as? String == "O-7" })
        // A direct sale from the accepted quote takes its price; without a basis, the list.
        // Not from the quote the contract came from: under the contract.
        try await d.sales.deliver(try order("O-8", quoteNo: "Q-1", quantity: 200))
        #expect(try await rejection(d.sales, "O-8") == "quote-closed")
        // A direct sale from another accepted quote takes its price, for at least the quantity it was agreed for.
        let until = BusinessDate(Date().addingTimeInterval(30 * 86_400)).description
        #expect(try await d.sales.call(Self.salesperson, .post, "/quotes/Q-9/versions",
                                       #"{"customerCode":"C-1","stage":"final","validUntil":"\#(until)","paymentTerms":{"kind":"net","netDays":30},"lines":[{"sku":"S-1","quantity":100,"unitPrice":445}]}"#).status == .created)
        #expect(try await d.sales.call(Self.salesperson, .post, "/quotes/Q-9/accept", "{}").status == .ok)
        try await d.sales.deliver(try order("O-10", quoteNo: "Q-9", quantity: 5))
        #expect(try await rejection(d.sales, "O-10") == "bad-quantity", "the price was agreed for 100")
        try await d.sales.deliver(try order("O-11", quoteNo: "Q-9", quantity: 120))
        #expect(int64(try await d.sales.outbox("sales.order.placed.v1").first { $0.body["orderRef"] as? String == "O-11" }?.body["total"]) == 53_400)
        // A second order under the same reference is a duplicate, whatever it names.
        try await d.sales.deliver(try order("O-11", contractNo: "K-7", quantity: 500))
        #expect(try await rejection(d.sales, "O-11") == "duplicate-order-ref")
        try await d.sales.deliver(try order("O-9", quantity: 5))
        #expect(int64(try await d.sales.outbox("sales.order.placed.v1").first { $0.body["orderRef"] as? String == "O-9" }?.body["total"]) == 2_500)
        // Finance bills an order under the contract on the contract's terms (a 30 % deposit at
        // acceptance) — once it knows the contract; the customer's own terms (net 30) bill nothing then.
        let lines = [OrderPlaced.Line(sku: "S-1", quantity: 150, unitPrice: 440, lineTotal: 66_000)]
        let address = try JSONDecoder().decode(PlaceOrder.Address.self, from: Data(#"{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"}"#.utf8))
        let accepted = OrderAccepted(orderId: UUID(), orderRef: "O-1", customerCode: "C-1", currency: "CNY", lines: lines, total: 66_000,
                                     deliveryAddress: address, requestedDeliveryDate: "2026-12-20", releasedBy: nil, contractNo: "K-7")
        let early = try await d.finance.deliver(accepted)
        #expect(early.transient.count == 1 && early.permanent.isEmpty, "the contract is not known to finance yet: retried, not lost")
        let signed = try #require(try await d.sales.outbox("sales.contract.signed.v1").first)
        try await d.finance.deliver(try ContractRegistry.decodeStrict(ContractSigned.self, from: JSONSerialization.data(withJSONObject: signed.body)))
        try await d.finance.deliver(accepted)
        let deposit = try #require(try await d.finance.outbox("finance.invoice.issued.v1").first)
        #expect(deposit.body["kind"] as? String == "deposit" && int64(deposit.body["amount"]) == 19_800)
        try await d.finance.deliver(OrderAccepted(orderId: UUID(), orderRef: "O-9", customerCode: "C-1", currency: "CNY", lines: lines, total: 2_500,
                                                  deliveryAddress: address, requestedDeliveryDate: "2026-12-20", releasedBy: nil))
        #expect(try await d.finance.outbox("finance.invoice.issued.v1").count == 1, "net 30 invoices on delivery")
        await d.cleanUp()
    }

    @Test func aRevisionBeforeEveryAnswerCameAsksThoseStillToAnswerAgain() async throws {
        let d = try await departments()
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-8/revisions", Self.draft()).status == .created)
        // Only legal has answered when the liability wording changes; the departments are asked the new revision.
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-8/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-8/revisions", Self.draft(liability: "1 % of the order value a day late")).status == .created)
        #expect(try await d.sales.outbox("sales.contract.drafted.v1").last?.body["review"] as? [String] == ["finance", "logistics", "risk", "legal"])
        try await review(d)
        #expect(try await reviews(d, "K-8") == ["finance": "approved", "logistics": "approved", "risk": "approved", "legal": "pending"])
        #expect(try await d.sales.call("legal.ma", .post, "/contracts/K-8/legal-review", #"{"outcome":"approved","remarks":"fine"}"#).status == .ok)
        #expect(try await d.sales.call(Self.salesperson, .post, "/contracts/K-8/sign", #"{"revision":2}"#).status == .ok)
        await d.cleanUp()
    }
}
