import Contracts
import FinanceDomain
import LogisticsDomain
import RiskDomain
import SalesDomain
import Testing

/// The contract review's rules: who reviews a revision, when it may be drafted and signed, and
/// the rule by which each department can reject.
@Suite struct ContractReviewTests {
    let today = BusinessDate("2026-12-02")!

    func terms(payment: AgreedPaymentTerms = .init(kind: "net", netDays: 30), lead: Int64 = 7, liability: String = "0.05 % a day late",
               quantity: Int64 = 200, until: String = "2027-11-30") -> ContractTerms {
        ContractTerms(lines: [ContractLine(sku: "S-1", quantity: quantity, unitPrice: 450)], paymentTerms: payment,
                      delivery: DeliveryTerms(leadTimeDays: lead), specs: nil, liability: liability, returnsTerms: "replaced within 30 days",
                      validFrom: "2026-12-01", validUntil: until)
    }

    @Test func aRevisionAsksAgainOnlyTheReviewersWhoseTermsItChanged() {
        #expect(ContractReview.reviewers(from: nil, to: terms()) == [.finance, .logistics, .risk, .legal], "the first revision: everyone")
        #expect(ContractReview.reviewers(from: terms(), to: terms()) == [])
        #expect(ContractReview.reviewers(from: terms(), to: terms(payment: .init(kind: "net", netDays: 45))) == [.finance, .risk, .legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(lead: 10)) == [.logistics, .legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(liability: "1 % a day late")) == [.legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(quantity: 300)) == [.finance, .logistics, .risk, .legal], "the value and the volume")
    }

    @Test func signingNeedsEveryApproval() {
        let all = Dictionary(uniqueKeysWithValues: Reviewer.allCases.map { ($0, ReviewOutcome.approved) })
        #expect(ContractReview.canSign(.draft, reviews: all) == nil)
        var oneWaiting = all; oneWaiting[.legal] = .pending
        #expect(ContractReview.canSign(.draft, reviews: oneWaiting)?.code == .reviewIncomplete)
        var oneRejected = oneWaiting; oneRejected[.risk] = .rejected
        #expect(ContractReview.canSign(.draft, reviews: oneRejected)?.code == .reviewRejected, "a rejection says so even while another waits")
        #expect(ContractReview.canSign(.signed, reviews: all)?.code == .contractSigned)
    }

    @Test func aContractComesFromAValidAcceptedFinalQuote() {
        let final = QuoteTerms(stage: .final, validUntil: "2026-12-31", lines: [QuoteLine(sku: "S-1", quantity: 200, unitPrice: 450)],
                               paymentTerms: .init(kind: "prepaid"))
        #expect(ContractReview.canDraft(quoteStatus: .accepted, accepted: final, asOf: today) == nil)
        #expect(ContractReview.canDraft(quoteStatus: .open, accepted: final, asOf: today)?.code == .quoteNotAccepted)
        #expect(ContractReview.canDraft(quoteStatus: .expired, accepted: final, asOf: today)?.code == .quoteNotAccepted)
        #expect(ContractReview.canDraft(quoteStatus: .accepted, accepted: final, asOf: BusinessDate("2027-01-01")!)?.code == .quoteExpired)
        #expect(ContractReview.lines(of: final) == [ContractLine(sku: "S-1", quantity: 200, unitPrice: 450)])
        #expect(ContractReview.check(terms(), asOf: today) == nil)
        #expect(ContractReview.check(terms(until: "2026-11-01"), asOf: today)?.code == .invalidField)
        #expect(ContractReview.check(terms(payment: .init(kind: "deposit", netDays: 30)), asOf: today)?.code == .invalidField, "a deposit needs its percentage")
        #expect(terms().value == 90_000)
    }

    @Test func financeRejectsPaymentLaterThanTheCustomersClass() {
        let net30 = PaymentTerms.net(days: 30)
        #expect(ContractPaymentReview.review(.init(kind: "net", netDays: 30), customer: net30).approved)
        #expect(ContractPaymentReview.review(.init(kind: "prepaid"), customer: net30).approved)
        #expect(ContractPaymentReview.review(.init(kind: "deposit", depositPercent: 20, netDays: 15), customer: net30).approved)
        let late = ContractPaymentReview.review(.init(kind: "net", netDays: 60), customer: net30)
        #expect(!late.approved && late.remarks.contains("net 30 days"))
        let deposit = PaymentTerms.deposit(percent: 30, restDays: 30)
        #expect(!ContractPaymentReview.review(.init(kind: "deposit", depositPercent: 20, netDays: 30), customer: deposit).approved, "a smaller deposit")
        #expect(!ContractPaymentReview.review(.init(kind: "net", netDays: 10), customer: deposit).approved, "no deposit at all")
        #expect(!ContractPaymentReview.review(.init(kind: "deposit", depositPercent: 50, netDays: 30), customer: .prepaid).approved)
    }

    @Test func logisticsRejectsALeadTimeItsWarehousesCannotMeet() {
        let lines = [(sku: "S-1", quantity: Int64(200))]
        #expect(DeliveryReview.review(leadTimeDays: 7, lines: lines, available: ["S-1": 500]).approved)
        #expect(!DeliveryReview.review(leadTimeDays: 1, lines: lines, available: ["S-1": 500]).approved, "shorter than handling")
        let short = DeliveryReview.review(leadTimeDays: 7, lines: lines, available: ["S-1": 50])
        #expect(!short.approved && short.remarks.contains("restock"))
        #expect(DeliveryReview.review(leadTimeDays: 14, lines: lines, available: [:]).approved, "time enough to restock")
    }

    @Test func riskRejectsAnExposureBeyondTheLimit() {
        let profile = CreditProfile(customerCode: "C-1", creditLimit: 100_000, rating: .a, onHold: false)
        #expect(ContractCreditReview.review(profile: profile, exposure: 10_000, value: 90_000).approved)
        let beyond = ContractCreditReview.review(profile: profile, exposure: 10_001, value: 90_000)
        #expect(!beyond.approved && beyond.remarks.contains("beyond the credit limit"))
        #expect(!ContractCreditReview.review(profile: nil, exposure: 0, value: 1).approved)
        #expect(!ContractCreditReview.review(profile: CreditProfile(customerCode: "C-1", creditLimit: 100_000, rating: .b, onHold: true),
                                             exposure: 0, value: 1).approved)
        #expect(!ContractCreditReview.review(profile: profile, exposure: .max, value: 1).approved, "no overflow")
    }
}
