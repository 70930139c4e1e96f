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
               quantity: Int64 = 200, from: String = "2026-12-01", until: String = "2027-11-30") -> ContractTerms {
        ContractTerms(lines: [ContractLine(sku: "S-1", quantity: quantity, unitPrice: 450)], paymentTerms: payment,
                      delivery: DeliveryTerms(leadTimeDays: lead), specs: nil, liability: liability, returnsTerms: "replaced within 30 days",
                      validFrom: from, validUntil: until)
    }

    @Test func aRevisionAsksAgainOnlyTheReviewersWhoseTermsItChanged() {
        #expect(ContractReview.reviewers(from: nil, to: terms()) == [.finance, .logistics, .risk, .legal], "the first revision: everyone")
        #expect(ContractReview.reviewers(from: terms(), to: terms()) == [])
        #expect(ContractReview.reviewers(from: terms(), to: terms(payment: .init(kind: "net", netDays: 45))) == [.finance, .risk, .legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(lead: 10)) == [.logistics, .legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(liability: "1 % a day late")) == [.legal])
        #expect(ContractReview.reviewers(from: terms(), to: terms(quantity: 300)) == [.finance, .logistics, .risk, .legal], "the value and the volume")
        #expect(ContractReview.reviewers(from: terms(), to: terms(liability: "1 % a day late"), stillWaiting: [.risk]) == [.risk, .legal],
                "who had not answered yet is asked the new revision: a pending answer never carries over")
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
        let past = ContractReview.check(terms(from: "2026-10-01", until: "2026-11-01"), asOf: today)
        #expect(past?.code == .invalidField && past?.message.contains("before today") == true)
        #expect(ContractReview.check(terms(from: "2027-01-01", until: "2026-12-31"), asOf: today)?.message.contains("before validFrom") == true)
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

    @Test func anOrderUnderAContractOrFromAQuoteIsPricedByItWithinItsLimits() {
        let contract = OrderBasis.Contract(customer: "C-1", currency: "CNY", status: .signed, terms: terms())
        let ok = OrderBasis.underContract("K-1", lines: [("S-1", 150)], customer: "C-1", contract: contract, used: [:], asOf: today)
        #expect((try? ok.get()) == ["S-1": 450])
        func code(_ r: Result<[String: Int64], OrderRejection>) -> ReasonCode? { if case .failure(let e) = r { e.code } else { nil } }
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", 51)], customer: "C-1", contract: contract, used: ["S-1": 150], asOf: today)) == .volumeExceeded)
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", 30), ("S-1", 30)], customer: "C-1", contract: contract, used: ["S-1": 150], asOf: today)) == .volumeExceeded,
                "two lines of one SKU count together")
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", .max), ("S-1", .max)], customer: "C-1", contract: contract, used: [:], asOf: today)) == .badQuantity,
                "quantities are checked before they are added up: no overflow")
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-2", 1)], customer: "C-1", contract: contract, used: [:], asOf: today)) == .notOnContract)
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", 1)], customer: "C-2", contract: contract, used: [:], asOf: today)) == .unknownContract)
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", 1)], customer: "C-1", contract: contract, used: [:], asOf: BusinessDate("2027-12-01")!)) == .contractExpired)
        let draft = OrderBasis.Contract(customer: "C-1", currency: "CNY", status: .draft, terms: terms())
        #expect(code(OrderBasis.underContract("K-1", lines: [("S-1", 1)], customer: "C-1", contract: draft, used: [:], asOf: today)) == .contractNotSigned)
        let final = QuoteTerms(stage: .final, validUntil: "2026-12-31", lines: [QuoteLine(sku: "S-1", quantity: 100, unitPrice: 440)], paymentTerms: .init(kind: "prepaid"))
        #expect((try? OrderBasis.fromQuote("Q-1", lines: [("S-1", 100)], customer: "C-1", quoteCustomer: "C-1", status: .accepted, accepted: final,
                                           contractNo: nil, asOf: today).get()) == ["S-1": 440])
        #expect(code(OrderBasis.fromQuote("Q-1", lines: [("S-1", 99)], customer: "C-1", quoteCustomer: "C-1", status: .accepted, accepted: final,
                                          contractNo: nil, asOf: today)) == .badQuantity, "the price holds for the quantity agreed")
        #expect(code(OrderBasis.fromQuote("Q-1", lines: [("S-1", 100)], customer: "C-1", quoteCustomer: "C-1", status: .accepted, accepted: final,
                                          contractNo: "K-1", asOf: today)) == .quoteClosed)
        #expect(code(OrderBasis.fromQuote("Q-1", lines: [("S-1", 100)], customer: "C-1", quoteCustomer: "C-1", status: .open, accepted: final,
                                          contractNo: nil, asOf: today)) == .quoteNotAccepted)
        #expect(code(OrderBasis.fromQuote("Q-1", lines: [("S-1", 100)], customer: "C-1", quoteCustomer: "C-1", status: .accepted, accepted: final,
                                          contractNo: nil, asOf: BusinessDate("2027-01-01")!)) == .quoteExpired)
    }
}
