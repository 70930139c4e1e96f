import Contracts
import CustomerServiceService
import FinanceService
import Foundation
import Hummingbird
import HummingbirdTesting
import LogisticsService
import Messaging
import RiskService
import SalesService
import ServiceKit
import Storage
import Testing

/// Authority limits and approvals, in-process against the real PostgreSQL: an action beyond
/// its actor's limit waits for the right level and takes effect only on approval; a rejection
/// changes nothing; nobody approves their own request; a delegate decides for an approver and
/// both are named; a changed amount needs a new approval while a rule change leaves open
/// requests where they are; one approval in each department.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct ApprovalInProcessTests {
    /// One request as a person, answered with its status and JSON body.
    func call(_ service: ServiceHarness, _ person: String, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
              made: DirectoryPerson? = nil) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
        try await service.call(person, method, uri, body, made: made)
    }

    func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    /// Someone of risk's credit team that the demo directory does not have.
    static let riskStaff = DirectoryPerson(id: "risk.kong", name: "Kong Rui", department: "risk", team: "credit", manager: "li.wei",
                                           roles: ["risk:staff"])

    func heldOrder(_ risk: ServiceHarness, _ ref: String, total: Int64) async throws {
        try await risk.deliver(OrderPlaced(orderId: UUID(), orderRef: ref, customerCode: "BIG", currency: "CNY",
                                           lines: [.init(sku: "S", quantity: 1, unitPrice: total, lineTotal: total)], total: total,
                                           requestedDeliveryDate: "2026-12-15"))
    }

    func riskWithABigCustomer() async throws -> ServiceHarness {
        let risk = try await ServiceHarness.make(Risk.spec)
        let profile = try await call(risk, "risk.dir", .put, "/customers/BIG/credit", #"{"creditLimit":100000000,"currency":"CNY","rating":"A"}"#)
        #expect(profile.status == .ok)
        return risk
    }

    @Test func aReleaseBeyondTheStaffLimitWaitsForTheManagerAndTakesEffectOnlyOnApproval() async throws {
        let risk = try await riskWithABigCustomer()
        try await heldOrder(risk, "BIG-1", total: 120_000_000)  // 20 % over the limit: held; beyond staff's 1,000,000
        let asked = try await call(risk, "risk.deng", .post, "/orders/BIG-1/release", #"{"note":"long-standing customer"}"#)
        #expect(asked.status == .accepted && asked.json["status"] as? String == "pending-approval")
        let approval = try #require(asked.json["approval"] as? [String: Any])
        let id = try #require(approval["id"] as? String)
        #expect(approval["approverRole"] as? String == "risk:director", "120,000,000 is beyond the manager's 20,000,000")
        #expect(approval["requestedBy"] as? String == "risk.deng" && int64(approval["amount"]) == 120_000_000)
        #expect(try await risk.outbox("risk.approval.requested.v1").count == 1)
        #expect(try await risk.outbox("risk.credit.approved.v1").isEmpty, "nothing happens before the approval")
        // Asking again finds the same request.
        let again = try await call(risk, "risk.deng", .post, "/orders/BIG-1/release", #"{"note":"long-standing customer"}"#)
        #expect((again.json["approval"] as? [String: Any])?["id"] as? String == id)
        #expect(try await risk.outbox("risk.approval.requested.v1").count == 1)
        // Not the requester, not a level below the one addressed, not another department.
        #expect(code(try await call(risk, "risk.deng", .post, "/approvals/\(id)/approve", "{}").json) == "self-approval")
        #expect(code(try await call(risk, "li.wei", .post, "/approvals/\(id)/approve", "{}").json) == "not-approver")
        let otherDepartment = try await call(risk, "sales.dir", .post, "/approvals/\(id)/approve", "{}")
        #expect(otherDepartment.status == .forbidden && code(otherDepartment.json) == "forbidden")
        // Listed for the director, not for the requester.
        let listed = try await call(risk, "risk.dir", .get, "/approvals?for=me")
        #expect(((listed.json["items"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id])
        #expect(((try await call(risk, "risk.deng", .get, "/approvals?for=me").json["items"] as? [[String: Any]]) ?? []).isEmpty)
        let decided = try await call(risk, "risk.dir", .post, "/approvals/\(id)/approve", #"{"reason":"paid on time for years"}"#)
        #expect(decided.status == .ok && decided.json["status"] as? String == "approved" && decided.json["decidedBy"] as? String == "risk.dir")
        let released = try await risk.outbox("risk.credit.approved.v1")
        #expect(released.count == 1 && (released.first?.body["decision"] as? [String: Any])?["decidedBy"] as? String == "risk.dir")
        let event = try #require(try await risk.outbox("risk.approval.decided.v1").first)
        let decision = try #require(event.body["decision"] as? [String: Any])
        #expect(decision["outcome"] as? String == "approved" && int64(decision["limit"]) == 200_000_000 && decision["ruleId"] != nil)
        #expect(code(try await call(risk, "risk.dir", .post, "/approvals/\(id)/approve", "{}").json) == "not-pending")
        // The decision log says who did what under which rule and limit.
        let detail = try await call(risk, "auditor", .get, "/approvals/\(id)", made: SignIn.person("audit.sun"))
        let steps = (detail.json["log"] as? [[String: Any]]) ?? []
        #expect(steps.map { $0["step"] as? String } == ["requested", "approved"])
        #expect(steps.last?["actor"] as? String == "risk.dir" && int64(steps.last?["limit"]) == 200_000_000)
        #expect(int64(steps.first?["limit"]) == 200_000_000, "addressed under the director's rule")
        // The log is append-only, for the service's own role too.
        await #expect(throws: (any Error).self) { try await risk.pool.execute("UPDATE approval_log SET actor = 'someone else'") }
        await #expect(throws: (any Error).self) { try await risk.pool.execute("TRUNCATE approval_log") }
        await #expect(throws: (any Error).self) { try await risk.pool.execute("DELETE FROM authority_limits") }
        #expect(try await risk.pool.query("SELECT count(*) AS n FROM approval_log WHERE subject = 'BIG-1'").first?.int("n") == 2)
        await risk.cleanUp()
    }

    @Test func aRejectedRequestChangesNothingAndNeedsAReason() async throws {
        let risk = try await riskWithABigCustomer()
        try await heldOrder(risk, "BIG-2", total: 110_000_000)
        let asked = try await call(risk, "risk.deng", .post, "/orders/BIG-2/release", "{}")
        let id = try #require((asked.json["approval"] as? [String: Any])?["id"] as? String)
        #expect(try await call(risk, "risk.dir", .post, "/approvals/\(id)/reject", "{}").status == .badRequest)
        let rejected = try await call(risk, "risk.dir", .post, "/approvals/\(id)/reject", #"{"reason":"exposure too high this quarter"}"#)
        #expect(rejected.status == .ok && rejected.json["status"] as? String == "rejected")
        #expect(try await risk.outbox("risk.credit.approved.v1").isEmpty)
        #expect(try await call(risk, "risk.dir", .get, "/orders/BIG-2").json["status"] as? String == "held")
        #expect((try await risk.outbox("risk.approval.decided.v1").first?.body["decision"] as? [String: Any])?["outcome"] as? String == "rejected")
        await risk.cleanUp()
    }

    @Test func aDelegateDecidesForTheApproverOnTheDatesGivenAndBothAreNamed() async throws {
        let risk = try await riskWithABigCustomer()
        try await heldOrder(risk, "BIG-3", total: 101_000_000)
        let asked = try await call(risk, "risk.deng", .post, "/orders/BIG-3/release", "{}")
        let id = try #require((asked.json["approval"] as? [String: Any])?["id"] as? String)
        #expect(code(try await call(risk, "", .post, "/approvals/\(id)/approve", "{}", made: Self.riskStaff).json) == "not-approver")
        // The director is away: yesterday's delegation has ended; today's counts.
        let day = 86_400.0
        func date(_ offset: Double) -> String { String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(offset)).prefix(10)) }
        let past = try await call(risk, "risk.dir", .post, "/delegations",
                                  #"{"delegate":"risk.kong","starts":"\#(date(-3 * day))","ends":"\#(date(-day))"}"#)
        #expect(past.status == .ok)
        #expect(code(try await call(risk, "", .post, "/approvals/\(id)/approve", "{}", made: Self.riskStaff).json) == "not-approver")
        #expect(code(try await call(risk, "risk.deng", .post, "/delegations",
                                    #"{"delegate":"risk.kong","starts":"\#(date(-day))","ends":"\#(date(day))"}"#).json) == "not-authorised",
                "staff have no approvals to hand on")
        let bad = try await call(risk, "risk.dir", .post, "/delegations", #"{"delegate":"risk.kong","starts":"2026-12-09","ends":"2026-12-01"}"#)
        #expect(bad.status == .unprocessableContent && code(bad.json) == "invalid-field", "ends before starts")
        let now = try await call(risk, "risk.dir", .post, "/delegations",
                                 #"{"delegate":"risk.kong","starts":"\#(date(-day))","ends":"\#(date(7 * day))","note":"holiday"}"#)
        #expect(now.status == .ok)
        let listed = try await call(risk, "", .get, "/approvals?for=me", made: Self.riskStaff)
        #expect(((listed.json["items"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == [id])
        let decided = try await call(risk, "", .post, "/approvals/\(id)/approve", "{}", made: Self.riskStaff)
        #expect(decided.status == .ok && decided.json["decidedBy"] as? String == "risk.kong" && decided.json["onBehalfOf"] as? String == "risk.dir")
        let decision = try await risk.outbox("risk.approval.decided.v1").first?.body["decision"] as? [String: Any]
        #expect(decision?["decidedBy"] as? String == "risk.kong" && decision?["onBehalfOf"] as? String == "risk.dir")
        #expect(try await risk.outbox("risk.credit.approved.v1").count == 1)
        // The director is back and ends the delegation: it counts no more.
        let delegationId = try #require(int64(now.json["id"]))
        #expect(try await call(risk, "", .delete, "/delegations/\(delegationId)", made: Self.riskStaff).status == .notFound, "only the delegator ends it")
        #expect(try await call(risk, "risk.dir", .delete, "/delegations/\(delegationId)").status == .noContent)
        #expect(try await call(risk, "risk.dir", .delete, "/delegations/\(delegationId)").status == .notFound, "ended once")
        // Ended, and kept: who stood in for whom stays on record.
        let kept = ((try await call(risk, "risk.dir", .get, "/delegations").json["items"] as? [[String: Any]]) ?? [])
            .first { int64($0["id"]) == delegationId }
        #expect(kept?["endedBy"] as? String == "risk.dir" && kept?["endedAt"] != nil && kept?["note"] as? String == "holiday")
        await #expect(throws: (any Error).self) { try await risk.pool.execute("DELETE FROM delegations") }
        await #expect(throws: (any Error).self) { try await risk.pool.execute("UPDATE delegations SET ends = ends + 30") }
        try await heldOrder(risk, "BIG-4", total: 30_000_000)  // with BIG-3's 101,000,000: held, for the director
        let next = try #require((try await call(risk, "risk.deng", .post, "/orders/BIG-4/release", "{}").json["approval"] as? [String: Any])?["id"] as? String)
        #expect(code(try await call(risk, "", .post, "/approvals/\(next)/approve", "{}", made: Self.riskStaff).json) == "not-approver")
        // Rejecting the held order outright ends its open release request: it cannot be approved later.
        #expect(try await call(risk, "risk.dir", .post, "/orders/BIG-4/reject", #"{"note":"no"}"#).status == .ok)
        #expect(code(try await call(risk, "risk.dir", .post, "/approvals/\(next)/approve", "{}").json) == "not-pending")
        await risk.cleanUp()
    }

    /// Finance: a hand-entered payment beyond the accountant's limit. Changing the manager's limit
    /// leaves the open request where it is; asking again with another amount supersedes it.
    @Test func aChangedAmountNeedsANewApprovalAndARuleChangeLeavesOpenRequestsWhereTheyAre() async throws {
        let finance = try await ServiceHarness.make(Finance.spec)
        #expect(try await call(finance, "fin.dir", .put, "/customers/F-1/terms", #"{"kind":"deposit","depositPercent":50,"netDays":15}"#).status == .ok)
        try await finance.deliver(OrderAccepted(orderId: UUID(), orderRef: "F-O1", customerCode: "F-1", currency: "CNY",
                                                lines: [.init(sku: "A", quantity: 1, unitPrice: 40_000_000, lineTotal: 40_000_000)],
                                                total: 40_000_000, deliveryAddress: FinanceInProcessTests.address,
                                                requestedDeliveryDate: "2026-12-15", releasedBy: nil))
        let invoice = try #require(try await finance.outbox("finance.deposit.requested.v1").first?.body["invoiceNumber"] as? String)
        func payment(_ amount: Int64) -> String {
            #"{"amount":\#(amount),"currency":"CNY","invoiceNumber":"\#(invoice)","bankReference":"HAND-1","valueDate":"2026-12-02"}"#
        }
        let first = try await call(finance, "acct.luo", .post, "/payments", payment(6_000_000))
        #expect(first.status == .accepted)
        let a = try #require(first.json["approval"] as? [String: Any])
        #expect(a["approverRole"] as? String == "finance:manager")
        // Who sets which limit: the director for staff and managers, executive for the director.
        #expect(code(try await call(finance, "fin.mgr", .put, "/authority-limits/payment.manual/finance:staff", #"{"limit":1}"#).json) == "not-authorised")
        #expect(code(try await call(finance, "fin.dir", .put, "/authority-limits/payment.manual/finance:director", #"{"limit":1}"#).json) == "not-authorised")
        #expect(try await call(finance, "chen.jie", .put, "/authority-limits/payment.manual/finance:director",
                               #"{"limit":400000000,"note":"board decision"}"#).status == .ok)
        // A director grants no more than they hold: no unlimited staff, nothing above their own 500,000,000.
        #expect(code(try await call(finance, "fin.dir", .put, "/authority-limits/payment.manual/finance:staff", #"{"limit":null}"#).json) == "not-authorised")
        #expect(code(try await call(finance, "fin.dir", .put, "/authority-limits/payment.manual/finance:manager", #"{"limit":500000001}"#).json) == "not-authorised")
        let lowered = try await call(finance, "fin.dir", .put, "/authority-limits/payment.manual/finance:manager", #"{"limit":1000000}"#)
        #expect(lowered.status == .ok && int64(lowered.json["limit"]) == 1_000_000 && lowered.json["setBy"] as? String == "fin.dir")
        let still = try await call(finance, "fin.mgr", .get, "/approvals/\(a["id"] as! String)")
        #expect((still.json["approval"] as? [String: Any])?["approverRole"] as? String == "finance:manager")
        #expect(int64((still.json["approval"] as? [String: Any])?["ruleId"]) == int64(a["ruleId"]), "the rule it was addressed under")
        // The same payment with another amount is a new request; the old one is superseded.
        let second = try await call(finance, "acct.luo", .post, "/payments", payment(7_000_000))
        let b = try #require(second.json["approval"] as? [String: Any])
        #expect(b["id"] as? String != a["id"] as? String && b["approverRole"] as? String == "finance:director")
        #expect(code(try await call(finance, "fin.mgr", .post, "/approvals/\(a["id"] as! String)/approve", "{}").json) == "not-pending")
        let ended = try await finance.outbox("finance.approval.decided.v1").compactMap { $0.body["decision"] as? [String: Any] }
        #expect(ended.count == 1 && ended.first?["requestId"] as? String == a["id"] as? String
                && ended.first?["outcome"] as? String == "superseded" && ended.first?["decidedBy"] as? String == "acct.luo",
                "the superseded request is told on the bus")
        #expect(try await call(finance, "fin.dir", .post, "/approvals/\(b["id"] as! String)/approve", "{}").status == .ok)
        let paid = try await finance.outbox("finance.payment.received.v1")
        #expect(paid.count == 1 && int64(paid.first?.body["amount"]) == 7_000_000)
        let history = try await call(finance, "audit.sun", .get, "/authority-limits/history?limit=500")
        let versions = ((history.json["items"] as? [[String: Any]]) ?? []).filter { $0["role"] as? String == "finance:manager" }
        #expect(versions.map { int64($0["limit"]) } == [50_000_000, 1_000_000], "every version kept")
        await finance.cleanUp()
    }

    @Test func logisticsBooksGoodsWithoutAPurchaseOrderOnlyWithinTheLimitOrOnceApproved() async throws {
        let logistics = try await ServiceHarness.make(Logistics.spec)
        #expect(try await call(logistics, "log.dir", .put, "/warehouses/SH-01", #"{"name":"Shanghai","branch":"East"}"#).status == .ok)
        let small = try await call(logistics, "store.xu", .post, "/stock/receipts", #"{"warehouse":"SH-01","sku":"A","quantity":10,"reference":"R-1"}"#)
        #expect(small.status == .created)
        let ordered = try await call(logistics, "store.xu", .post, "/stock/receipts",
                                     #"{"warehouse":"SH-01","sku":"A","quantity":5000,"reference":"R-2","purchaseOrder":"PO-7"}"#)
        #expect(ordered.status == .created, "a purchase order explains the goods")
        let big = try await call(logistics, "store.xu", .post, "/stock/receipts", #"{"warehouse":"SH-01","sku":"A","quantity":5000,"reference":"R-3"}"#)
        #expect(big.status == .accepted && (big.json["approval"] as? [String: Any])?["approverRole"] as? String == "logistics:manager")
        let id = try #require((big.json["approval"] as? [String: Any])?["id"] as? String)
        func onHand() async throws -> Int64? {
            let items = try await call(logistics, "log.mgr", .get, "/stock?sku=A").json["items"] as? [[String: Any]]
            return int64(items?.first?["onHand"])
        }
        #expect(try await onHand() == 5_010)
        #expect(try await call(logistics, "log.mgr", .post, "/approvals/\(id)/approve", "{}").status == .ok)
        #expect(try await onHand() == 10_010)
        await logistics.cleanUp()
    }

    @Test func aSalespersonsDiscountBeyondTheirLimitWaitsForTheManager() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await call(sales, "sales.dir", .put, "/products/S-1",
                               #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":1000}]}"#).status == .ok)
        #expect(try await call(sales, "sales.dir", .put, "/customers/C-1", #"{"name":"Test","currency":"CNY"}"#).status == .ok)
        func order(_ ref: String, price: Int64) -> String {
            #"{"orderRef":"\#(ref)","customerCode":"C-1","lines":[{"sku":"S-1","quantity":3,"unitPrice":\#(price)}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-15"}"#
        }
        // 4 % off is within a salesperson's 5 %: placed at once, at the typed price.
        let within = try await call(sales, "wang.fang", .post, "/orders", order("D-1", price: 960))
        #expect(within.status == .created)
        #expect(int64(try await sales.outbox("sales.order.placed.v1").first?.body["total"]) == 2_880)
        // An order sales does not take is 422 with its reason (the attempt is kept under the reference).
        let unknown = try await call(sales, "wang.fang", .post, "/orders", order("D-9", price: 960).replacingOccurrences(of: "C-1", with: "C-404"))
        #expect(unknown.status == .unprocessableContent && code(unknown.json) == "unknown-customer")
        // 10 % off waits for the manager (15 %); nothing is placed before.
        let beyond = try await call(sales, "wang.fang", .post, "/orders", order("D-2", price: 900))
        let approval = try #require(beyond.json["approval"] as? [String: Any])
        #expect(beyond.status == .accepted && approval["approverRole"] as? String == "sales:manager" && int64(approval["amount"]) == 1_000)
        #expect(try await sales.outbox("sales.order.placed.v1").count == 1)
        #expect(try await call(sales, "sales.mgr", .post, "/approvals/\(approval["id"] as! String)/approve", "{}").status == .ok)
        let placed = try await sales.outbox("sales.order.placed.v1")
        #expect(placed.count == 2 && int64(placed.last?.body["total"]) == 2_700)
        // An outside system's typed price still needs the customer's contract.
        try await sales.deliver(try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(order("D-3", price: 900).utf8)))
        #expect((try await sales.outbox("sales.order.rejected.v1").first { $0.body["orderRef"] as? String == "D-3" }?.body["reasonCode"])
                as? String == "price-override-not-allowed")
        // A copy of the approved order under a new reference is a new document: a new request.
        let copy = try await call(sales, "wang.fang", .post, "/orders", order("D-4", price: 900))
        let copied = try #require(copy.json["approval"] as? [String: Any])
        #expect(copy.status == .accepted && copied["id"] as? String != approval["id"] as? String && copied["status"] as? String == "pending")
        // The approval carries forward: once risk approves D-2, finance invoices it at the approved
        // prices without asking anyone again.
        try await sales.deliver(CreditApproved(CreditDecision(orderRef: "D-2", customerCode: "C-1", exposure: 2_700, creditLimit: 1_000_000, rating: "A")))
        let acceptedRow = try #require(try await sales.outbox("sales.order.accepted.v1").first { $0.body["orderRef"] as? String == "D-2" })
        let accepted = try ContractRegistry.decodeStrict(OrderAccepted.self, from: try JSONSerialization.data(withJSONObject: acceptedRow.body))
        #expect(accepted.total == 2_700 && accepted.lines.first?.unitPrice == 900)
        let finance = try await ServiceHarness.make(Finance.spec)
        try await finance.deliver(accepted)
        try await finance.deliver(ShipmentDelivered(orderRef: "D-2", shipmentId: UUID(), signedBy: "Ms Lin", signedAt: Date()))
        let invoice = try #require(try await finance.outbox("finance.invoice.issued.v1").first)
        #expect(int64(invoice.body["amount"]) == 2_700, "invoiced at the approved price")
        let asked = try await sales.pool.query("SELECT status FROM approval_requests WHERE action = 'order.discount' AND subject = 'D-2'")
        #expect(try asked.map { try $0.string("status") } == ["approved"], "one approval for D-2, not asked again as the order went on")
        #expect(try await sales.outbox("sales.approval.requested.v1").count == 2, "D-2's and the copy D-4's, nothing after")
        await finance.cleanUp()
        await sales.cleanUp()
    }

    /// Master data that would otherwise skip a limit: a raised credit limit is itself under one
    /// (`credit.limit`), and list prices, payment terms and warehouses are for managers and directors.
    @Test func aRaisedCreditLimitWaitsForTheRightLevelAndMasterDataIsForManagers() async throws {
        let risk = try await ServiceHarness.make(Risk.spec)
        func credit(_ person: DirectoryPerson, _ limit: Int64) async throws -> (status: HTTPResponse.Status, json: [String: Any]) {
            try await call(risk, "", .put, "/customers/NEW/credit", #"{"creditLimit":\#(limit),"currency":"CNY","rating":"B"}"#, made: person)
        }
        func limit() async throws -> Int64? { int64(try await call(risk, "risk.dir", .get, "/customers/NEW/credit").json["creditLimit"]) }
        #expect(try await credit(Self.riskStaff, 10_000_000).status == .ok, "within staff's 500,000.00")
        let raised = try await credit(Self.riskStaff, 60_000_000)
        let request = try #require(raised.json["approval"] as? [String: Any])
        #expect(raised.status == .accepted && request["action"] as? String == "credit.limit" && request["approverRole"] as? String == "risk:manager")
        #expect(try await limit() == 10_000_000, "nothing changes before the approval")
        #expect(try await call(risk, "li.wei", .post, "/approvals/\(request["id"] as! String)/approve", "{}").status == .ok)
        #expect(try await limit() == 60_000_000)
        #expect(try await credit(Self.riskStaff, 5_000_000).status == .ok, "lowering a limit takes risk away: no approval")
        #expect(try await limit() == 5_000_000)
        let huge = try await credit(SignIn.person("risk.dir"), 6_000_000_000)
        #expect(huge.status == .accepted && (huge.json["approval"] as? [String: Any])?["approverRole"] as? String == "executive")
        // The profile set again meanwhile: the open request ends, and a late approval cannot undo the newer profile.
        #expect(try await credit(Self.riskStaff, 4_000_000).status == .ok)
        let late = try await call(risk, "chen.jie", .post, "/approvals/\((huge.json["approval"] as? [String: Any])?["id"] as? String ?? "")/approve", "{}")
        #expect(code(late.json) == "not-pending")
        #expect(try await limit() == 4_000_000)
        // A better rating adds risk: it is under the limit too (here beyond staff's for 60,000,000).
        let better = try await call(risk, "", .put, "/customers/NEW/credit", #"{"creditLimit":4000000,"currency":"CNY","rating":"A"}"#, made: Self.riskStaff)
        #expect(better.status == .ok, "within staff's limit for 4,000,000")
        // Every change of the profile is kept with who made it: the approver for the approved one.
        let changes = (try await call(risk, "", .get, "/changes?kind=credit-profile&key=NEW", made: SignIn.person("audit.sun"))
            .json["items"] as? [[String: Any]]) ?? []
        #expect(changes.map { $0["actor"] as? String } == ["risk.kong", "li.wei", "risk.kong", "risk.kong", "risk.kong"])
        #expect(changes.map { int64(($0["change"] as? [String: Any])?["credit_limit"]) } == [10_000_000, 60_000_000, 5_000_000, 4_000_000, 4_000_000])
        await #expect(throws: (any Error).self) { try await risk.pool.execute("UPDATE master_changes SET actor = 'someone else'") }
        await #expect(throws: (any Error).self) { try await risk.pool.execute("DELETE FROM master_changes") }
        await risk.cleanUp()

        let staff: [(ServiceSpec, String, String, String)] = [
            (Sales.spec, "wang.fang", "/products/S-1", #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":1}]}"#),
            (Finance.spec, "acct.luo", "/customers/C-1/terms", #"{"kind":"net","netDays":90}"#),
            (Logistics.spec, "store.xu", "/warehouses/W-9", #"{"name":"Somewhere","branch":"East"}"#),
        ]
        for (spec, person, path, body) in staff {
            let service = try await ServiceHarness.make(spec)
            let refused = try await call(service, person, .put, path, body)
            #expect(refused.status == .forbidden && ((refused.json["error"] as? [String: Any])?["message"] as? String ?? "").contains("manager"),
                    "\(spec.id): \(path) is not for staff")
            await service.cleanUp()
        }
        // A manager may, and the price list's change is kept with the manager's name.
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await call(sales, "sales.dir", .put, "/products/S-1", #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":1000}]}"#).status == .ok)
        // Contract prices and typed prices are prices below the list: not staff's to give.
        let priced = try await call(sales, "wang.fang", .put, "/customers/C-9", #"{"name":"Nine","currency":"CNY","contractPrices":{"S-1":1}}"#)
        #expect(priced.status == .forbidden && code(priced.json) == "forbidden")
        #expect(try await call(sales, "wang.fang", .put, "/customers/C-9", #"{"name":"Nine","currency":"CNY","allowsPriceOverride":true}"#).status == .forbidden)
        #expect(try await call(sales, "wang.fang", .put, "/customers/C-9", #"{"name":"Nine","currency":"CNY"}"#).status == .ok, "filing a customer is staff's")
        #expect(try await call(sales, "sales.mgr", .put, "/customers/C-9", #"{"name":"Nine","currency":"CNY","contractPrices":{"S-1":900}}"#).status == .ok)
        #expect(try await call(sales, "wang.fang", .put, "/customers/C-9", #"{"name":"Nine Ltd","currency":"CNY","contractPrices":{"S-1":900}}"#).status == .ok,
                "the same prices kept")
        #expect(try await call(sales, "sales.mgr", .put, "/products/S-2", #"{"name":"Gadget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":700}]}"#).status == .ok)
        let product = try #require(((try await call(sales, "sales.mgr", .get, "/changes?kind=product&key=S-2").json["items"] as? [[String: Any]]) ?? []).first)
        let tiers = (product["change"] as? [String: Any])?["tiers"] as? [[String: Any]]
        #expect(product["key"] as? String == "S-2" && product["actor"] as? String == "sales.mgr" && int64(tiers?.first?["unitPrice"]) == 700)
        await sales.cleanUp()
    }

    /// Lifting a customer's hold beyond the manager's limit waits for the director.
    @Test func liftingAHoldBeyondTheManagersLimitWaitsForTheDirector() async throws {
        let risk = try await riskWithABigCustomer()
        try await heldOrder(risk, "BIG-7", total: 50_000_000)  // within the limit: approved, counts towards exposure
        try await risk.pool.execute("UPDATE credit_profiles SET on_hold = true, hold_reason = 'overdue' WHERE customer_code = 'BIG'")
        let asked = try await call(risk, "li.wei", .post, "/customers/BIG/release-hold", #"{"note":"paid today"}"#)
        let request = try #require(asked.json["approval"] as? [String: Any])
        #expect(asked.status == .accepted && request["action"] as? String == "customer.release-hold"
                && request["approverRole"] as? String == "risk:director" && int64(request["amount"]) == 50_000_000)
        #expect(try await call(risk, "risk.dir", .get, "/customers/BIG/credit").json["onHold"] as? Bool == true)
        #expect(try await call(risk, "risk.dir", .post, "/approvals/\(request["id"] as! String)/approve", "{}").status == .ok)
        #expect(try await call(risk, "risk.dir", .get, "/customers/BIG/credit").json["onHold"] as? Bool == false)
        #expect(try await risk.outbox("risk.customer.rating_changed.v1").last?.body["onHold"] as? Bool == false)
        await risk.cleanUp()
    }

    /// On the bus alike: a system has no authority of its own, so a discounted `order.place` (for a
    /// customer whose contract allows overrides) waits for a person, and its sender hears the outcome.
    @Test func aDiscountFromAnOutsideSystemWaitsForAPersonAndItsSenderIsAnsweredOnceDecided() async throws {
        let sales = try await ServiceHarness.make(Sales.spec)
        #expect(try await call(sales, "sales.dir", .put, "/products/S-1",
                               #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":1000}]}"#).status == .ok)
        #expect(try await call(sales, "sales.dir", .put, "/customers/C-2", #"{"name":"Shop","currency":"CNY","allowsPriceOverride":true}"#).status == .ok)
        func order(_ ref: String, price: Int64) throws -> PlaceOrder {
            try ContractRegistry.decodeStrict(PlaceOrder.self, from: Data(#"{"orderRef":"\#(ref)","customerCode":"C-2","lines":[{"sku":"S-1","quantity":2,"unitPrice":\#(price)}],"deliveryAddress":{"line1":"1 Road","city":"Hangzhou","postalCode":"310000","country":"CN"},"requestedDeliveryDate":"2026-12-15"}"#.utf8))
        }
        let first = UUID().uuidString.lowercased()
        try await sales.deliver(try order("B-1", price: 900), messageId: first, correlationId: "B-1", replyTo: "tests.shop")
        let pending = try #require(try await sales.outbox("bizops.command.outcome.v1").first)
        #expect(pending.routingKey == "tests.shop" && pending.body["outcome"] as? String == "pending"
                && pending.body["reasonCode"] as? String == "approval-pending" && pending.body["messageId"] as? String == first)
        #expect(try await sales.outbox("sales.order.placed.v1").isEmpty)
        let requests = try await call(sales, "sales.mgr", .get, "/approvals?for=me").json["items"] as? [[String: Any]] ?? []
        #expect(requests.count == 1 && requests.first?["requestedBy"] as? String == "tests" && requests.first?["subject"] as? String == "B-1")
        // The same order sent again (a new message id) finds the same request.
        try await sales.deliver(try order("B-1", price: 900), replyTo: "tests.shop")
        #expect((try await call(sales, "sales.mgr", .get, "/approvals?status=pending").json["items"] as? [Any])?.count == 1)
        let approved = try await call(sales, "sales.mgr", .post, "/approvals/\(requests.first?["id"] as? String ?? "")/approve", "{}")
        #expect(approved.status == .ok)
        let placed = try await sales.outbox("sales.order.placed.v1")
        #expect(placed.filter { $0.routingKey == OrderPlaced.routingKey }.count == 1)
        #expect(placed.contains { $0.routingKey == "tests.shop" }, "the sender hears the order placed")
        // Rejected: the order is rejected with a reason, and its sender told.
        try await sales.deliver(try order("B-2", price: 880), correlationId: "B-2", replyTo: "tests.shop")
        let second = try #require((try await call(sales, "sales.mgr", .get, "/approvals?for=me").json["items"] as? [[String: Any]])?.first)
        #expect(try await call(sales, "sales.mgr", .post, "/approvals/\(second["id"] as? String ?? "")/reject", #"{"reason":"below our floor"}"#).status == .ok)
        let rejected = try await sales.outbox("sales.order.rejected.v1")
        #expect(rejected.contains { $0.routingKey == OrderRejected.routingKey && $0.body["reasonCode"] as? String == "discount-rejected" })
        #expect(rejected.contains { $0.routingKey == "tests.shop" })
        await sales.cleanUp()
    }

    @Test func aResolutionThatCostsMoneyBeyondTheAgentsLimitWaitsForTheManager() async throws {
        let desk = try await ServiceHarness.make(CustomerService.spec)
        try await desk.deliver(OrderAccepted(orderId: UUID(), orderRef: "CS-1", customerCode: "C-1", currency: "CNY",
                                             lines: [.init(sku: "A", quantity: 4, unitPrice: 100, lineTotal: 400)], total: 400,
                                             deliveryAddress: FinanceInProcessTests.address, requestedDeliveryDate: "2026-12-15", releasedBy: nil))
        try await desk.deliver(try ContractRegistry.decodeStrict(OpenComplaint.self, from: Data(
            #"{"channel":"phone","orderRef":"CS-1","category":"delivery","description":"two weeks late"}"#.utf8)))
        let number = try #require(try await desk.outbox("customer_service.complaint.opened.v1").first?.body["caseNumber"] as? String)
        let asked = try await call(desk, "cs.hu", .post, "/complaints/\(number)/resolve", #"{"resolution":"goodwill","compensation":500000}"#)
        let approval = try #require(asked.json["approval"] as? [String: Any])
        #expect(asked.status == .accepted && approval["approverRole"] as? String == "customer-service:manager")
        #expect(try await desk.outbox("customer_service.complaint.resolved.v1").isEmpty)
        #expect(try await call(desk, "cs.mgr", .post, "/approvals/\(approval["id"] as! String)/approve", "{}").status == .ok)
        let resolved = try #require(try await desk.outbox("customer_service.complaint.resolved.v1").first)
        #expect(resolved.body["resolution"] as? String == "goodwill" && (resolved.body["note"] as? String ?? "").contains("compensation 500000"))
        await desk.cleanUp()
    }
}
