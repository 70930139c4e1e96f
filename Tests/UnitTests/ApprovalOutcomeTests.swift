import Contracts
@testable import ServiceKit
import Testing

/// A service starts only when each action its book puts under limits has one outcome from its capabilities.
@Suite struct ApprovalOutcomeTests {
    let book = ApprovalBook(department: "sales", actions: [
        ApprovalAction("a.one", "one", unit: .money, defaults: [:]), ApprovalAction("a.two", "two", unit: .money, defaults: [:]),
    ], requested: SalesApprovalRequested.self, decided: SalesApprovalDecided.self)

    func outcome(_ action: String) -> ApprovalOutcome { ApprovalOutcome(action, approved: { _, _, _ in }) }

    @Test func oneOutcomePerActionFits() {
        #expect(ServiceSpec.outcomeProblem("sales", book, [outcome("a.one"), outcome("a.two")]) == nil)
        #expect(ServiceSpec.outcomeProblem("risk", nil, []) == nil)
    }

    @Test func aMissingDoubledOrStrayOutcomeStopsTheService() {
        #expect(ServiceSpec.outcomeProblem("sales", book, [outcome("a.one")])?.contains("need one outcome each") == true)
        #expect(ServiceSpec.outcomeProblem("sales", book, [outcome("a.one"), outcome("a.two"), outcome("a.two")]) != nil)
        #expect(ServiceSpec.outcomeProblem("sales", book, [outcome("a.one"), outcome("a.three")]) != nil)
        #expect(ServiceSpec.outcomeProblem("risk", nil, [outcome("a.one")]) == "risk: approval outcomes without an approval book")
    }
}
