import Contracts
import Foundation
import SalesDomain
import Testing

/// A customer's stage: forward with what happens, back one step per quiet period; the class moves
/// to partner with the first order; duplicates; and the follow-up rules.
@Suite struct CustomerLifecycleTests {
    @Test func theStageMovesForwardWithWhatHappensAndNeverBackWithActivity() {
        #expect(CustomerLifecycle.after(.prospect, .visit) == .firstContact)
        #expect(CustomerLifecycle.after(.prospect, .quote(.initial)) == .firstContact)
        #expect(CustomerLifecycle.after(.firstContact, .quote(.second)) == .inDepth)
        #expect(CustomerLifecycle.after(.prospect, .quote(.final)) == .inDepth)
        #expect(CustomerLifecycle.after(.inDepth, .order(liveOrders: 1)) == .relationship)
        #expect(CustomerLifecycle.after(.relationship, .order(liveOrders: 2)) == .relationship)
        #expect(CustomerLifecycle.after(.relationship, .order(liveOrders: 3)) == .loyal, "repeat orders")
        #expect(CustomerLifecycle.after(.loyal, .visit) == .loyal, "a visit never moves a loyal customer back")
        #expect(CustomerLifecycle.classification(.target, .visit) == .target)
        #expect(CustomerLifecycle.classification(.target, .order(liveOrders: 1)) == .partner)
    }

    @Test func aQuietCustomerStepsBackOnceAPeriod() {
        let now = Date(timeIntervalSince1970: 1_800_000_000), day = 86_400.0, quiet = Double(CustomerLifecycle.quietDays)
        #expect(CustomerLifecycle.afterQuiet(.loyal, lastActivity: now - quiet * day, lastChange: now - 400 * day, now: now) == .relationship)
        #expect(CustomerLifecycle.afterQuiet(.loyal, lastActivity: now - (quiet - 1) * day, lastChange: now - 400 * day, now: now) == nil)
        #expect(CustomerLifecycle.afterQuiet(.relationship, lastActivity: now - 400 * day, lastChange: now - 10 * day, now: now) == nil,
                "one step per quiet period, not all at once")
        #expect(CustomerLifecycle.afterQuiet(.prospect, lastActivity: now - 400 * day, lastChange: now - 400 * day, now: now) == nil)
        #expect(CustomerStage.firstContact.previous == .prospect && CustomerStage.prospect.previous == .prospect)
    }

    @Test func theSameTaxIdOrTheSameNameInTheSameCityIsTheSameCustomer() {
        #expect(CustomerLifecycle.sameCustomer(taxId: "91330100MA", name: "A", city: nil, asTaxId: " 91330100ma ", name: "B", city: nil))
        #expect(CustomerLifecycle.sameCustomer(taxId: nil, name: "Acme Ltd", city: "Hangzhou", asTaxId: nil, name: "acme ltd ", city: "HANGZHOU"))
        #expect(!CustomerLifecycle.sameCustomer(taxId: nil, name: "Acme Ltd", city: "Hangzhou", asTaxId: nil, name: "Acme Ltd", city: "Ningbo"))
        #expect(!CustomerLifecycle.sameCustomer(taxId: nil, name: "Acme Ltd", city: nil, asTaxId: nil, name: "Acme Ltd", city: nil),
                "a name alone is not enough")
    }

    @Test func overdueVisitsAndLateOrders() {
        let today = BusinessDate("2026-12-02")!
        #expect(FollowUp.isOverdue(.planned, plannedFor: BusinessDate("2026-12-01")!, asOf: today))
        #expect(!FollowUp.isOverdue(.planned, plannedFor: today, asOf: today), "due today is not overdue yet")
        #expect(!FollowUp.isOverdue(.done, plannedFor: BusinessDate("2026-11-01")!, asOf: today))
        #expect(FollowUp.canBeLate(.reserved) && FollowUp.canBeLate(.dispatched) && FollowUp.canBeLate(.held))
        #expect(!FollowUp.canBeLate(.delivered) && !FollowUp.canBeLate(.completed) && !FollowUp.canBeLate(.cancelled) && !FollowUp.canBeLate(.rejected))
    }
}
