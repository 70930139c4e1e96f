import Contracts
import SalesDomain
import Testing

/// The quote chain's rules: what each stage holds, the order of stages, acceptance, expiry,
/// the discount below the list and comparing two versions.
@Suite struct QuoteChainTests {
    let today = BusinessDate("2026-12-02")!
    let net30 = AgreedPaymentTerms(kind: "net", netDays: 30)

    func initial(_ low: Int64 = 400, _ high: Int64 = 480, until: String = "2026-12-31") -> QuoteTerms {
        QuoteTerms(stage: .initial, validUntil: until, lines: [QuoteLine(sku: "S-1", priceBand: .init(low: low, high: high))])
    }
    func second(until: String = "2026-12-31") -> QuoteTerms {
        QuoteTerms(stage: .second, validUntil: until,
                   lines: [QuoteLine(sku: "S-1", tiers: [.init(minQuantity: 1, unitPrice: 480), .init(minQuantity: 100, unitPrice: 440)])],
                   serviceTerms: "installation included", paymentTerms: net30)
    }
    func final(_ price: Int64 = 450, quantity: Int64 = 200, until: String = "2026-12-31") -> QuoteTerms {
        QuoteTerms(stage: .final, validUntil: until, lines: [QuoteLine(sku: "S-1", quantity: quantity, unitPrice: price)], paymentTerms: net30)
    }

    @Test func eachStageHoldsItsOwnKindOfPrice() {
        #expect(QuoteChain.check(initial(), asOf: today) == nil)
        #expect(QuoteChain.check(second(), asOf: today) == nil)
        #expect(QuoteChain.check(final(), asOf: today) == nil)
        // A band at the second stage, tiers at the initial, a final without a quantity.
        let bandAtSecond = QuoteTerms(stage: .second, validUntil: "2026-12-31", lines: initial().lines, serviceTerms: "x", paymentTerms: net30)
        #expect(QuoteChain.check(bandAtSecond, asOf: today)?.message.contains("tiers") == true)
        let tiersAtInitial = QuoteTerms(stage: .initial, validUntil: "2026-12-31", lines: second().lines)
        #expect(QuoteChain.check(tiersAtInitial, asOf: today)?.message.contains("priceBand") == true)
        let noQuantity = QuoteTerms(stage: .final, validUntil: "2026-12-31", lines: [QuoteLine(sku: "S-1", unitPrice: 450)], paymentTerms: net30)
        #expect(QuoteChain.check(noQuantity, asOf: today)?.code == .invalidField)
        // A second quote states its service and payment terms; a final one its payment terms.
        let noService = QuoteTerms(stage: .second, validUntil: "2026-12-31", lines: second().lines, paymentTerms: net30)
        #expect(QuoteChain.check(noService, asOf: today)?.message.hasPrefix("serviceTerms") == true)
        let noPayment = QuoteTerms(stage: .final, validUntil: "2026-12-31", lines: final().lines)
        #expect(QuoteChain.check(noPayment, asOf: today)?.message.hasPrefix("paymentTerms") == true)
        // A band upside down, tiers that do not grow, a SKU twice.
        #expect(QuoteChain.check(initial(500, 400), asOf: today) != nil)
        let shrinking = QuoteTerms(stage: .second, validUntil: "2026-12-31",
                                   lines: [QuoteLine(sku: "S-1", tiers: [.init(minQuantity: 100, unitPrice: 440), .init(minQuantity: 1, unitPrice: 480)])],
                                   serviceTerms: "x", paymentTerms: net30)
        #expect(QuoteChain.check(shrinking, asOf: today)?.message.contains("grow") == true)
        let twice = QuoteTerms(stage: .initial, validUntil: "2026-12-31", lines: initial().lines + initial().lines)
        #expect(QuoteChain.check(twice, asOf: today)?.message.contains("each SKU once") == true)
    }

    @Test func paymentTermsAreFinancesKinds() {
        func terms(_ payment: AgreedPaymentTerms) -> QuoteTerms {
            QuoteTerms(stage: .final, validUntil: "2026-12-31", lines: final().lines, paymentTerms: payment)
        }
        #expect(QuoteChain.check(terms(.init(kind: "prepaid")), asOf: today) == nil)
        #expect(QuoteChain.check(terms(.init(kind: "deposit", depositPercent: 30, netDays: 15)), asOf: today) == nil)
        #expect(QuoteChain.check(terms(.init(kind: "deposit", depositPercent: 100, netDays: 15)), asOf: today) != nil)
        #expect(QuoteChain.check(terms(.init(kind: "net")), asOf: today) != nil, "net needs its days")
        #expect(QuoteChain.check(terms(.init(kind: "barter", netDays: 1)), asOf: today)?.message.contains("kind") == true)
    }

    @Test func aVersionIsValidFromTodayOn() {
        #expect(QuoteChain.check(initial(until: "2026-12-02"), asOf: today) == nil, "valid through the day it names")
        #expect(QuoteChain.check(initial(until: "2026-12-01"), asOf: today)?.code == .quoteExpired)
        #expect(!QuoteChain.isExpired(final(until: "2026-12-02"), asOf: today))
        #expect(QuoteChain.isExpired(final(until: "2026-12-01"), asOf: today))
    }

    @Test func stagesMoveOnOrStayButNeverBack() {
        #expect(QuoteChain.canRevise(.open, from: nil, to: .final) == nil, "a negotiation may start at any stage")
        #expect(QuoteChain.canRevise(.open, from: .second, to: .second) == nil)
        #expect(QuoteChain.canRevise(.open, from: .second, to: .final) == nil)
        #expect(QuoteChain.canRevise(.open, from: .final, to: .initial)?.code == .stageBackwards)
        #expect(QuoteChain.canRevise(.expired, from: .final, to: .final) == nil, "an expired quote can be revived by a new version")
        #expect(QuoteChain.canRevise(.accepted, from: .final, to: .final)?.code == .quoteClosed)
    }

    @Test func onlyAValidFinalQuoteIsAccepted() {
        #expect(QuoteChain.canAccept(.open, final(), asOf: today) == nil)
        #expect(QuoteChain.canAccept(.open, second(), asOf: today)?.code == .quoteNotFinal)
        #expect(QuoteChain.canAccept(.open, final(until: "2026-12-01"), asOf: today)?.code == .quoteExpired)
        #expect(QuoteChain.canAccept(.expired, final(), asOf: today)?.code == .quoteExpired, "expired by the job: a new version first")
        #expect(QuoteChain.canAccept(.accepted, final(), asOf: today)?.code == .quoteClosed)
    }

    @Test func theDiscountIsTheDeepestLineBelowTheListForItsQuantity() {
        let list = ["S-1": [PriceTier(minQuantity: 1, unitPrice: 500), PriceTier(minQuantity: 100, unitPrice: 450)]]
        #expect(QuoteChain.discount(initial(400, 480), priceList: list) == 2_000, "a band's low end against the single-unit price")
        #expect(QuoteChain.discount(second(), priceList: list) == 400, "480 for one against 500 (4 %) is deeper than 440 from 100 against 450")
        #expect(QuoteChain.discount(final(450, quantity: 200), priceList: list) == 0, "the list price for 200")
        #expect(QuoteChain.discount(final(500, quantity: 1), priceList: list) == 0, "at the list")
        #expect(QuoteChain.unknownSkus(final(), priceList: [:]) == ["S-1"])
    }

    @Test func twoVersionsCompareLineByLine() {
        let a = QuoteTerms(stage: .final, validUntil: "2026-12-31",
                           lines: [QuoteLine(sku: "A", quantity: 1, unitPrice: 10), QuoteLine(sku: "B", quantity: 1, unitPrice: 20)], paymentTerms: net30)
        let b = QuoteTerms(stage: .final, validUntil: "2026-12-31",
                           lines: [QuoteLine(sku: "A", quantity: 1, unitPrice: 10), QuoteLine(sku: "C", quantity: 2, unitPrice: 5),
                                   ], paymentTerms: net30)
        let changes = QuoteChain.compare(a, b)
        #expect(changes.map(\.sku) == ["A", "C", "B"])
        #expect(changes.map(\.change) == [.same, .added, .removed])
        let repriced = QuoteChain.compare(a, QuoteTerms(stage: .final, validUntil: "2026-12-31",
                                                        lines: [QuoteLine(sku: "A", quantity: 1, unitPrice: 9)], paymentTerms: net30))
        #expect(repriced.first?.change == .changed && repriced.first?.from?.unitPrice == 10 && repriced.first?.to?.unitPrice == 9)
    }
}
