import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import SalesService
import Storage
import Testing

/// The quote chain over sales' routes, in-process against the real PostgreSQL: initial →
/// second → final versions under one number, a price below the salesperson's limit sent at
/// once and one beyond it only once approved, a retried ask finding its version, the customer's
/// acceptance of a valid final quote only, versions compared, kept unchanged, and expired by the
/// clock-driven run.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct QuoteInProcessTests {
    static let salesperson = "wang.fang"
    static let manager = "sales.mgr"

    func code(_ json: [String: Any]) -> String? { (json["error"] as? [String: Any])?["code"] as? String }

    func salesWithAProduct() async throws -> ServiceHarness {
        let sales = try await ServiceHarness.make(Sales.spec)
        let product = try await sales.call("sales.dir", .put, "/products/S-1",
                                           #"{"name":"Widget","tiers":[{"currency":"CNY","minQuantity":1,"unitPrice":500},{"currency":"CNY","minQuantity":100,"unitPrice":450}]}"#)
        #expect(product.status == .ok)
        #expect(try await sales.call("sales.dir", .put, "/customers/C-1", #"{"name":"Acme","currency":"CNY"}"#).status == .ok)
        return sales
    }

    static let until = BusinessDate(Date().addingTimeInterval(30 * 86_400)).description
    static let initial = #"{"customerCode":"C-1","stage":"initial","validUntil":"\#(until)","lines":[{"sku":"S-1","priceBand":{"low":480,"high":520}}]}"#
    static let second = #"""
        {"customerCode":"C-1","stage":"second","validUntil":"\#(until)","serviceTerms":"delivery and installation",
         "paymentTerms":{"kind":"net","netDays":30},
         "lines":[{"sku":"S-1","tiers":[{"minQuantity":1,"unitPrice":490},{"minQuantity":100,"unitPrice":430}]}]}
        """#
    static func final(_ price: Int64, until: String = until) -> String {
        #"{"customerCode":"C-1","stage":"final","validUntil":"\#(until)","paymentTerms":{"kind":"deposit","depositPercent":30,"netDays":30},"lines":[{"sku":"S-1","quantity":200,"unitPrice":\#(price)}]}"#
    }

    @Test func aNegotiationRunsFromABandToTheAgreedPriceAndOnlyAnApprovedPriceGoesOut() async throws {
        let sales = try await salesWithAProduct()
        // Initial: 480 against 500 is 4 %, within a salesperson's 5 %: sent at once.
        let first = try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.initial)
        #expect(first.status == .created && int64(first.json["version"]) == 1 && first.json["status"] as? String == "current")
        // The same ask again (a retry) finds that version instead of making another.
        let retried = try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.initial)
        #expect(retried.status == .created && int64(retried.json["version"]) == 1)
        // Second: 430 from 100 units against 450 is 4.44 %.
        let second = try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.second)
        #expect(second.status == .created && int64(second.json["version"]) == 2 && int64(second.json["discount"]) == 444)
        // Final: 400 for 200 against 450 is 11.11 %, beyond the salesperson: waits for the manager.
        let final = try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.final(400))
        #expect(final.status == .accepted && final.json["status"] as? String == "pending-approval")
        let approval = try #require(final.json["approval"] as? [String: Any])
        #expect(approval["approverRole"] as? String == "sales:manager" && approval["action"] as? String == "quote.price")
        var quote = try await sales.call(Self.salesperson, .get, "/quotes/Q-1")
        #expect(int64(quote.json["currentVersion"]) == 2, "the customer still holds the second quote")
        #expect(((quote.json["versions"] as? [[String: Any]]) ?? []).map { $0["status"] as? String } == ["superseded", "current", "pending-approval"])
        #expect(try await sales.outbox("sales.quote.sent.v1").count == 2)
        // Not acceptable yet: the current version is a second quote.
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-1/accept", "{}").json) == "quote-not-final")
        // The manager approves: the final version goes out.
        let id = try #require(approval["id"] as? String)
        #expect(try await sales.call(Self.manager, .post, "/approvals/\(id)/approve", #"{"reason":"volume deal"}"#).status == .ok)
        quote = try await sales.call(Self.salesperson, .get, "/quotes/Q-1")
        #expect(int64(quote.json["currentVersion"]) == 3 && quote.json["owner"] as? String == Self.salesperson)
        let sent = try await sales.outbox("sales.quote.sent.v1")
        #expect(sent.count == 3 && int64(sent.last?.body["version"]) == 3 && (sent.last?.body["terms"] as? [String: Any])?["stage"] as? String == "final")
        // Two versions line by line.
        let compared = try await sales.call(Self.salesperson, .get, "/quotes/Q-1/compare?from=2&to=3")
        let line = try #require((compared.json["lines"] as? [[String: Any]])?.first)
        #expect(line["change"] as? String == "changed" && (line["to"] as? [String: Any])?["unitPrice"] as? Int == 400)
        #expect(try await sales.call(Self.salesperson, .get, "/quotes/Q-1/compare?from=1&to=9").status == .notFound)
        // Going back a stage is refused; the customer accepts; an accepted quote takes no new version.
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.second).json) == "stage-backwards")
        let accepted = try await sales.call(Self.salesperson, .post, "/quotes/Q-1/accept", #"{"version":3}"#)
        #expect(accepted.status == .ok && accepted.json["status"] as? String == "accepted")
        let event = try #require(try await sales.outbox("sales.quote.accepted.v1").first)
        #expect(event.body["quoteNo"] as? String == "Q-1" && int64(event.body["version"]) == 3 && event.body["owner"] as? String == Self.salesperson)
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-1/versions", Self.final(450)).json) == "quote-closed")
        // A version never changes once asked, not even by SQL.
        await #expect(throws: (any Error).self) {
            try await sales.pool.execute("UPDATE quote_versions SET terms = '{}' WHERE quote_no = 'Q-1' AND version = 3")
        }
        await sales.cleanUp()
    }

    @Test func aRejectedPriceIsNeverSentAndANewVersionWithdrawsAWaitingOne() async throws {
        let sales = try await salesWithAProduct()
        let deep = try await sales.call(Self.salesperson, .post, "/quotes/Q-2/versions", Self.final(320))   // 28.9 %: the director
        #expect(deep.status == .accepted && (deep.json["approval"] as? [String: Any])?["approverRole"] as? String == "sales:director")
        // A new ask while it waits: the waiting version is withdrawn, its request superseded.
        let milder = try await sales.call(Self.salesperson, .post, "/quotes/Q-2/versions", Self.final(380))  // 15.55 %: the director still
        let milderId = try #require((milder.json["approval"] as? [String: Any])?["id"] as? String)
        let firstId = try #require((deep.json["approval"] as? [String: Any])?["id"] as? String)
        #expect(code(try await sales.call("sales.dir", .post, "/approvals/\(firstId)/approve", "{}").json) == "not-pending")
        let rejected = try await sales.call("sales.dir", .post, "/approvals/\(milderId)/reject", #"{"reason":"below our cost"}"#)
        #expect(rejected.status == .ok)
        let quote = try await sales.call(Self.salesperson, .get, "/quotes/Q-2")
        #expect(quote.json["currentVersion"] == nil || quote.json["currentVersion"] is NSNull)
        #expect(((quote.json["versions"] as? [[String: Any]]) ?? []).map { $0["status"] as? String } == ["withdrawn", "rejected"])
        #expect(try await sales.outbox("sales.quote.sent.v1").isEmpty)
        // Within the limit it goes out, and the customer can accept it.
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-2/versions", Self.final(450)).status == .created)
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-2/accept", "{}").status == .ok)
        await sales.cleanUp()
    }

    @Test func quotesExpireByThemselvesAndAnExpiredOneCannotBeAccepted() async throws {
        let sales = try await salesWithAProduct()
        let today = BusinessDate(Date()).description
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-3/versions", Self.final(450, until: today)).status == .created)
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-4/versions", Self.final(450)).status == .created)
        // Valid through the day it names: not expired as of today.
        // Run as of another day by managers (and operations) only: run early, it would expire valid quotes.
        #expect(try await sales.call(Self.salesperson, .post, "/quote-expiry/run", #"{"asOf":"\#(today)"}"#).status == .forbidden)
        let none = try await sales.call(Self.manager, .post, "/quote-expiry/run", #"{"asOf":"\#(today)"}"#)
        #expect((none.json["expired"] as? [String]) == [])
        let tomorrow = BusinessDate(Date().addingTimeInterval(86_400)).description
        let run = try await sales.call(Self.manager, .post, "/quote-expiry/run", #"{"asOf":"\#(tomorrow)"}"#)
        #expect((run.json["expired"] as? [String]) == ["Q-3"])
        #expect(try await sales.call(Self.manager, .post, "/quote-expiry/run", #"{"asOf":"\#(tomorrow)"}"#).json["expired"] as? [String] == [],
                "each quote expires once")
        let expired = try await sales.outbox("sales.quote.expired.v1")
        #expect(expired.count == 1 && expired.first?.body["quoteNo"] as? String == "Q-3")
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-3/accept", "{}").json) == "quote-expired")
        let listed = try await sales.call(Self.salesperson, .get, "/quotes?status=expired")
        #expect(((listed.json["items"] as? [[String: Any]]) ?? []).map { $0["quoteNo"] as? String } == ["Q-3"])
        // A version dated before today is refused outright; a new valid one revives the quote.
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-3/versions", Self.final(450, until: "2020-01-01")).json) == "quote-expired")
        #expect(try await sales.call(Self.salesperson, .post, "/quotes/Q-3/versions", Self.final(449)).status == .created)
        let revived = try await sales.call(Self.salesperson, .get, "/quotes/Q-3")
        #expect(revived.json["status"] as? String == "open"
                && ((revived.json["versions"] as? [[String: Any]]) ?? []).map { $0["status"] as? String } == ["expired", "current"])
        // Unknown customer and SKU, a stage's wrong kind of price, another customer's quote number.
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-5/versions", Self.initial.replacingOccurrences(of: "C-1", with: "NOBODY")).json) == "unknown-customer")
        #expect(code(try await sales.call(Self.salesperson, .post, "/quotes/Q-5/versions", Self.initial.replacingOccurrences(of: "S-1", with: "NOPE")).json) == "unknown-sku")
        let wrongKind = try await sales.call(Self.salesperson, .post, "/quotes/Q-5/versions", Self.initial.replacingOccurrences(of: "\"initial\"", with: "\"final\""))
        #expect(wrongKind.status == .unprocessableContent && code(wrongKind.json) == "invalid-field")
        #expect(try await sales.call("sales.dir", .put, "/customers/C-2", #"{"name":"Other","currency":"CNY"}"#).status == .ok)
        let otherCustomer = try await sales.call(Self.salesperson, .post, "/quotes/Q-4/versions", Self.initial.replacingOccurrences(of: "C-1", with: "C-2"))
        #expect(otherCustomer.status == .unprocessableContent)
        await sales.cleanUp()
    }
}
