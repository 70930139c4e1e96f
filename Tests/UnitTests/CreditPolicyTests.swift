import RiskDomain
import Testing

@Suite struct CreditPolicyTests {
    func profile(_ limit: Int64, _ rating: Rating = .a, onHold: Bool = false) -> CreditProfile {
        CreditProfile(customerCode: "C-1", creditLimit: limit, rating: rating, onHold: onHold)
    }

    @Test func withinTheLimitIsApprovedUpToTheLastUnit() {
        #expect(CreditPolicy.decide(profile: profile(1_000), exposure: 400, orderTotal: 600) == .approve)
        #expect(CreditPolicy.decide(profile: profile(1_000), exposure: 0, orderTotal: 1_000) == .approve)
    }

    @Test(arguments: [(Rating.a, Int64(1_500), true), (.a, 1_501, false), (.b, 1_200, true), (.b, 1_201, false), (.c, 1_001, false)])
    func overTheLimitIsHeldWithinTheRatingsMarginElseRejected(rating: Rating, total: Int64, held: Bool) {
        let outcome = CreditPolicy.decide(profile: profile(1_000, rating), exposure: 0, orderTotal: total)
        if held {
            guard case .hold(let code, _) = outcome else { Issue.record("expected a hold, got \(outcome)"); return }
            #expect(code.rawValue == "credit-limit-review")
        } else {
            guard case .reject(let code, let message) = outcome else { Issue.record("expected a rejection, got \(outcome)"); return }
            #expect(code.rawValue == "credit-limit-exceeded" && message.contains("\(total)"))
        }
    }

    @Test func holdsAndBlocksComeBeforeTheLimit() {
        guard case .hold(let code, _) = CreditPolicy.decide(profile: profile(1_000_000, onHold: true), exposure: 0, orderTotal: 1) else {
            Issue.record("a customer on hold must be held"); return
        }
        #expect(code.rawValue == "customer-on-hold")
        guard case .reject(let blocked, _) = CreditPolicy.decide(profile: profile(1_000_000, .d), exposure: 0, orderTotal: 1) else {
            Issue.record("a D rating must reject"); return
        }
        #expect(blocked.rawValue == "credit-blocked")
        guard case .hold(let none, _) = CreditPolicy.decide(profile: nil, exposure: 0, orderTotal: 1) else {
            Issue.record("no profile must hold"); return
        }
        #expect(none.rawValue == "no-credit-profile")
    }

    @Test func overdueLowersTheRatingOneStepDown() {
        #expect(Rating.allCases.map(\.lowered) == [.b, .c, .d, .d])
    }

    @Test func hugeNumbersDoNotOverflow() {
        if case .approve = CreditPolicy.decide(profile: profile(.max), exposure: .max, orderTotal: .max) {
            Issue.record("an overflowing exposure must not be approved")
        }
    }
}
