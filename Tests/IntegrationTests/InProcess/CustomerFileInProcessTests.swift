import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import SalesService
import Storage
import Testing

/// Customer files, visits and the salesperson's follow-up over sales' routes, in-process against
/// the real PostgreSQL: duplicates caught at registration, the owner and class, the stage moving
/// with visits, quotes and orders and back when the customer goes quiet, one timeline; overdue
/// visits on the salesperson's and the manager's lists; an order's exceptions flagged to its
/// salesperson and escalated to their manager.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct CustomerFileInProcessTests {
    static let salesperson = "wang.fang", manager = "sales.mgr"

    func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }
    func items(_ json: [String: Any]) -> [[String: Any]] { (json["items"] as? [[String: Any]]) ?? [] }

    func placeOrder(_ ref: String, _ customer: String) throws -> PlaceOrder {
        try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data("""
            {"orderRef":"\(ref)","customerCode":"\(customer)","lines":[{"sku":"S-1","quantity":2}],
             "deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-15"}
            """.utf8))
    }

    @Test func aCustomerFileKeepsItsOwnerClassStageAndTimelineAndIsFiledOnce() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await sales.call("sales.dir", .put, "/products/S-1", #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500}]}"#).status == .ok)
        let registered = try await sales.call(Self.salesperson, .put, "/customers/C-1", """
            {"name":"Acme Ltd","currency":"CNY","taxId":"91330100MA27","city":"Hangzhou","industry":"construction","source":"referral",
             "contacts":[{"name":"Mr Zhou","role":"buyer","phone":"+86 571 0000"}],"needs":"fast delivery","purchaseIntent":"high"}
            """)
        #expect(registered.status == .ok)
        // The same tax id, or the same name in the same city, is the same customer.
        let sameTaxId = try await sales.call(Self.salesperson, .put, "/customers/C-2", #"{"name":"Other","currency":"CNY","taxId":" 91330100ma27"}"#)
        #expect(sameTaxId.status == .conflict && code(sameTaxId.json) == "duplicate-customer")
        #expect(((sameTaxId.json["error"] as? [String: Any])?["message"] as? String ?? "").contains("C-1"))
        #expect(code(try await sales.call(Self.salesperson, .put, "/customers/C-3", #"{"name":"ACME LTD","currency":"CNY","city":"hangzhou"}"#).json) == "duplicate-customer")
        #expect(try await sales.call(Self.salesperson, .put, "/customers/C-4", #"{"name":"Acme Ltd","currency":"CNY","city":"Ningbo"}"#).status == .ok)
        // The salesperson who registered it owns it; it starts a target customer and a prospect.
        var file = try await sales.call(Self.salesperson, .get, "/customers/C-1")
        #expect(file.json["owner"] as? String == Self.salesperson && file.json["classification"] as? String == "target"
                && file.json["stage"] as? String == "prospect" && file.json["taxId"] as? String == "91330100MA27")
        // Saving the terms again keeps the profile it does not name.
        #expect(try await sales.call("sales.dir", .put, "/customers/C-1", #"{"name":"Acme Ltd","currency":"CNY","keyAccount":true}"#).status == .ok)
        file = try await sales.call(Self.salesperson, .get, "/customers/C-1")
        #expect(file.json["industry"] as? String == "construction" && file.json["keyAccount"] as? Bool == true
                && file.json["owner"] as? String == Self.salesperson)
        // A visit planned, then logged: first contact.
        let planned = try await sales.call(Self.salesperson, .post, "/visits", #"{"customerCode":"C-1","plannedFor":"2026-12-10","purpose":"introduce the range"}"#)
        #expect(planned.status == .created && planned.json["status"] as? String == "planned")
        let visit = try #require(int64(planned.json["id"]))
        #expect(try await sales.call("li.qiang", .post, "/visits/\(visit)/log", #"{"visitedOn":"2026-12-10","outcome":"met the buyer"}"#).status == .forbidden,
                "another salesperson's visit")
        let logged = try await sales.call(Self.salesperson, .post, "/visits/\(visit)/log",
                                          #"{"visitedOn":"2026-12-10","outcome":"met the buyer","learnt":"needs 500 a month","nextStep":"send a second quote"}"#)
        #expect(logged.status == .ok && logged.json["status"] as? String == "done")
        #expect(code(try await sales.call(Self.salesperson, .post, "/visits/\(visit)/cancel").json) == "not-open")
        #expect(try await sales.call(Self.salesperson, .get, "/customers/C-1").json["stage"] as? String == "first-contact")
        // A second quote: in-depth understanding. An order: a relationship, and a partner customer.
        let until = BusinessDate(Date().addingTimeInterval(30 * 86_400)).description
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", """
            {"customerCode":"C-1","stage":"second","validUntil":"\(until)","serviceTerms":"delivery","paymentTerms":{"kind":"net","netDays":30},
             "lines":[{"sku":"S-1","tiers":[{"minQuantity":1,"unitPrice":500}]}]}
            """).status == .created)
        #expect(try await sales.call(Self.salesperson, .get, "/customers/C-1").json["stage"] as? String == "in-depth")
        try await sales.deliver(try placeOrder("O-1", "C-1"))
        file = try await sales.call(Self.salesperson, .get, "/customers/C-1")
        #expect(file.json["stage"] as? String == "relationship" && file.json["classification"] as? String == "partner")
        // Target and partner customers apart.
        #expect(items(try await sales.call(Self.salesperson, .get, "/customers?classification=partner").json).map { $0["code"] as? String } == ["C-1"])
        #expect(items(try await sales.call(Self.salesperson, .get, "/customers?classification=target").json).map { $0["code"] as? String } == ["C-4"])
        // The order belongs to the customer's owner, though a system sent it.
        let order = try await sales.http { client in try await client.execute(uri: "/orders/O-1", method: .get) }
        let placed = (try JSONSerialization.jsonObject(with: Data(order.body.readableBytesView)) as? [[String: Any]])?.last
        #expect(placed?["owner"] as? String == Self.salesperson)
        // One timeline: registered, the visit planned and done, the stages, the quote, the order.
        let timeline = items(try await sales.call(Self.salesperson, .get, "/customers/C-1/timeline").json).map { $0["kind"] as? String ?? "" }
        #expect(timeline == ["registered", "visit-planned", "visit", "stage", "quote", "stage", "order", "stage"], "\(timeline)")
        // Quiet for half a year: one stage back.
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(182 * 86_400))
        let run = try await sales.call(Self.manager, .post, "/follow-up/run", #"{"asOf":"\#(later)"}"#)
        #expect((run.json["quiet"] as? [String]) == ["C-1"])
        #expect(try await sales.call(Self.salesperson, .get, "/customers/C-1").json["stage"] as? String == "in-depth")
        // Each change was told on the bus, under the next version: registered, edited, the visit,
        // the quote, the order and the quiet spell.
        let told = try await sales.outbox(CustomerChanged.messageType).filter { $0.body["customerCode"] as? String == "C-1" }
        #expect(told.map { int64($0.body["version"]) } == [1, 2, 3, 4, 5, 6])
        #expect(told.map { $0.body["stage"] as? String } == ["prospect", "prospect", "first-contact", "in-depth", "relationship", "in-depth"])
        await sales.cleanUp()
    }

    /// `sales.customer.changed`: every change of the file, an edit or a stage moved by an order, is
    /// told as the whole file under the next version.
    @Test func everyChangeOfACustomerFileIsToldAsTheWholeFileUnderItsNextVersion() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await sales.call("sales.dir", .put, "/products/S-1", #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500}]}"#).status == .ok)
        #expect(try await sales.call(Self.salesperson, .put, "/customers/C-7", """
            {"name":"Acme Ltd","currency":"CNY","city":"Hangzhou","industry":"construction","contacts":[{"name":"Mr Zhou","role":"buyer"}]}
            """).status == .ok)
        var told = try await sales.outbox(CustomerChanged.messageType)
        #expect(told.count == 1 && told.first?.routingKey == CustomerChanged.routingKey)
        let first = try #require(told.first?.body)
        #expect(int64(first["version"]) == 1 && first["name"] as? String == "Acme Ltd" && first["owner"] as? String == Self.salesperson)
        #expect(first["stage"] as? String == "prospect" && first["classification"] as? String == "target" && first["keyAccount"] as? Bool == false)
        #expect(((first["contacts"] as? [[String: Any]]) ?? []).first?["name"] as? String == "Mr Zhou" && first["city"] as? String == "Hangzhou")
        #expect(try await sales.call(Self.salesperson, .put, "/customers/C-7", #"{"name":"Acme Group","currency":"CNY","keyAccount":true}"#).status == .ok)
        // An order moves the stage and the class: the file changed, so it is told again.
        try await sales.deliver(try placeOrder("O-7", "C-7"))
        told = try await sales.outbox(CustomerChanged.messageType)
        #expect(told.map { int64($0.body["version"]) } == [1, 2, 3])
        #expect(told[1].body["name"] as? String == "Acme Group" && told[1].body["keyAccount"] as? Bool == true)
        #expect(told[2].body["stage"] as? String == "relationship" && told[2].body["classification"] as? String == "partner")
        // A second order changes neither: nothing more is told.
        try await sales.deliver(try placeOrder("O-8", "C-7"))
        #expect(try await sales.outbox(CustomerChanged.messageType).count == 3)
        await sales.cleanUp()
    }

    @Test func overdueVisitsAndOrderExceptionsReachTheSalespersonAndTheirManager() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await sales.call("sales.dir", .put, "/products/S-1", #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500}]}"#).status == .ok)
        #expect(try await sales.call(Self.salesperson, .put, "/customers/C-1", #"{"name":"Acme","currency":"CNY"}"#).status == .ok)
        // The manager signs in once, so sales knows who reports to whom (from the tokens).
        #expect(try await sales.call(Self.manager, .get, "/visits?for=me").status == .ok)
        let yesterday = BusinessDate(Date().addingTimeInterval(-86_400)).description
        #expect(try await sales.call(Self.salesperson, .post, "/visits", #"{"customerCode":"C-1","plannedFor":"\#(yesterday)","purpose":"renewal"}"#).status == .created)
        #expect(try await sales.call(Self.salesperson, .post, "/visits", #"{"customerCode":"C-1","plannedFor":"2099-01-01","purpose":"later"}"#).status == .created)
        let mine = items(try await sales.call(Self.salesperson, .get, "/visits?for=me&overdue=true").json)
        #expect(mine.count == 1 && mine.first?["overdue"] as? Bool == true && mine.first?["purpose"] as? String == "renewal")
        let team = items(try await sales.call(Self.manager, .get, "/visits?for=me&overdue=true").json)
        #expect(team.map { $0["salesperson"] as? String } == [Self.salesperson], "on the manager's list too")
        #expect(items(try await sales.call("li.qiang", .get, "/visits?for=me&overdue=true").json).isEmpty)
        // An order held for credit: flagged to the customer's owner.
        try await sales.deliver(try placeOrder("O-1", "C-1"))
        try await sales.deliver(CreditHeld(CreditDecision(orderRef: "O-1", customerCode: "C-1", exposure: 0, creditLimit: 0, rating: "B",
                                                          reasonCode: .creditLimitReview, message: "over the limit")))
        var flagged = items(try await sales.call(Self.salesperson, .get, "/exceptions?for=me").json)
        #expect(flagged.map { $0["kind"] as? String } == ["credit-hold"] && flagged.first?["owner"] as? String == Self.salesperson)
        #expect(items(try await sales.call(Self.manager, .get, "/exceptions?for=me").json).isEmpty, "not escalated yet")
        // A day later it is the manager's too; and the order, asked for 2026-12-15, is late after that day.
        let later = ISO8601DateFormatter().string(from: max(Date(), ISO8601DateFormatter().date(from: "2026-12-16T00:00:00Z")!).addingTimeInterval(25 * 3600))
        let run = try await sales.call(Self.manager, .post, "/follow-up/run", #"{"asOf":"\#(later)"}"#)
        #expect((run.json["late"] as? [String]) == ["O-1"] && (run.json["escalated"] as? [Any])?.count == 1)
        let escalated = items(try await sales.call(Self.manager, .get, "/exceptions?for=me").json)
        #expect(escalated.map { $0["kind"] as? String } == ["credit-hold"] && escalated.first?["escalatedTo"] as? String == Self.manager)
        flagged = items(try await sales.call(Self.salesperson, .get, "/exceptions?for=me").json)
        #expect(Set(flagged.map { $0["kind"] as? String ?? "" }) == ["credit-hold", "late"])
        // Released: the hold is resolved.
        try await sales.deliver(CreditApproved(CreditDecision(orderRef: "O-1", customerCode: "C-1", exposure: 0, creditLimit: 0, rating: "B",
                                                              decidedBy: "risk.dir")))
        flagged = items(try await sales.call(Self.salesperson, .get, "/exceptions?for=me").json)
        #expect(flagged.map { $0["kind"] as? String } == ["late"])
        await sales.cleanUp()
    }
}
