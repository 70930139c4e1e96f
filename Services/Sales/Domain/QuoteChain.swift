import Contracts

/// A quote as a whole: open while it is negotiated, accepted once the customer agreed to its
/// final version, expired when its current version's validity passed.
public enum QuoteStatus: String, Sendable, Codable, CaseIterable { case open, accepted, expired }

/// One version of a quote. Sent versions never change; only their status moves.
public enum QuoteVersionStatus: String, Sendable, Codable, CaseIterable {
    /// Its price is beyond the salesperson's limit: not sent until an approver agrees.
    case pendingApproval = "pending-approval"
    /// The version the customer holds.
    case current
    /// A later version took its place.
    case superseded
    case accepted, expired
    /// Its approval was rejected, so it was never sent.
    case rejected
    /// A newer version was asked for while it waited for approval.
    case withdrawn
}

/// A rule of the quote chain a step breaks.
public struct QuoteProblem: Error, Equatable, Sendable {
    public let code: ReasonCode
    public let message: String
    public init(_ code: ReasonCode, _ message: String) { self.code = code; self.message = message }
}

/// One line of two versions compared.
public struct QuoteLineChange: Sendable, Codable, Equatable {
    public enum Change: String, Sendable, Codable { case added, removed, changed, same }
    public let sku: String
    public let change: Change
    public let from: QuoteLine?
    public let to: QuoteLine?
}

extension QuoteLine {
    /// Each unit price the line offers, with the quantity it applies from.
    var offers: [(price: Int64, quantity: Int64)] {
        if let band = priceBand { return [(band.low, 1)] }
        if let tiers { return tiers.map { ($0.unitPrice, $0.minQuantity) } }
        if let unitPrice { return [(unitPrice, quantity ?? 1)] }
        return []
    }
}

/// The rules of the quote chain: pure, no I/O.
public enum QuoteChain {
    public static let maxLines = 200
    public static let maxTiers = 20

    /// What a version must hold at its stage, and that it is still valid on `asOf`.
    public static func check(_ terms: QuoteTerms, asOf: BusinessDate) -> QuoteProblem? {
        func invalid(_ message: String) -> QuoteProblem { QuoteProblem(.invalidField, message) }
        guard let validUntil = BusinessDate(terms.validUntil) else { return invalid("validUntil: must be a date YYYY-MM-DD") }
        guard validUntil >= asOf else { return QuoteProblem(.quoteExpired, "validUntil: \(validUntil) is before today (\(asOf))") }
        guard !terms.lines.isEmpty, terms.lines.count <= maxLines else { return invalid("lines: 1 to \(maxLines) lines") }
        guard Set(terms.lines.map(\.sku)).count == terms.lines.count else { return invalid("lines: each SKU once") }
        if let payment = terms.paymentTerms, let problem = check(payment) { return invalid(problem) }
        switch terms.stage {
        case .initial: break
        case .second:
            guard terms.serviceTerms != nil else { return invalid("serviceTerms: a second quote states the service it includes") }
            guard terms.paymentTerms != nil else { return invalid("paymentTerms: a second quote states its payment terms") }
        case .final:
            guard terms.paymentTerms != nil else { return invalid("paymentTerms: a final quote states its payment terms") }
        }
        for (i, line) in terms.lines.enumerated() {
            if let problem = check(line, at: terms.stage, path: "lines[\(i)]") { return invalid(problem) }
        }
        return nil
    }

    /// As finance takes them: a deposit of 1 to 99 %, days after delivery 0 to 365 (none when prepaid).
    static func check(_ terms: AgreedPaymentTerms) -> String? {
        switch terms.kind {
        case "prepaid":
            guard terms.depositPercent == nil, terms.netDays == nil else { return "paymentTerms: prepaid takes neither depositPercent nor netDays" }
        case "deposit":
            guard let percent = terms.depositPercent, (1...99).contains(percent) else { return "paymentTerms.depositPercent: 1 to 99 for a deposit" }
            guard let days = terms.netDays, (0...365).contains(days) else { return "paymentTerms.netDays: 0 to 365 for the rest" }
        case "net":
            guard terms.depositPercent == nil else { return "paymentTerms: net takes no depositPercent" }
            guard let days = terms.netDays, (0...365).contains(days) else { return "paymentTerms.netDays: 0 to 365" }
        default: return "paymentTerms.kind: one of \(AgreedPaymentTerms.kinds.joined(separator: ", "))"
        }
        return nil
    }

    static func check(_ line: QuoteLine, at stage: QuoteStage, path: String) -> String? {
        switch stage {
        case .initial:
            guard let band = line.priceBand, line.tiers == nil, line.quantity == nil, line.unitPrice == nil else {
                return "\(path): an initial quote gives a priceBand only"
            }
            guard band.low > 0, band.high >= band.low else { return "\(path).priceBand: 0 < low <= high" }
        case .second:
            guard let tiers = line.tiers, line.priceBand == nil, line.quantity == nil, line.unitPrice == nil else {
                return "\(path): a second quote gives tiers (prices by volume) only"
            }
            guard (1...maxTiers).contains(tiers.count) else { return "\(path).tiers: 1 to \(maxTiers) tiers" }
            guard tiers.allSatisfy({ $0.minQuantity > 0 && $0.minQuantity <= OrderPricing.maxQuantity && $0.unitPrice > 0 }) else {
                return "\(path).tiers: minQuantity 1 to \(OrderPricing.maxQuantity) and a positive unitPrice"
            }
            guard zip(tiers, tiers.dropFirst()).allSatisfy({ $0.minQuantity < $1.minQuantity }) else {
                return "\(path).tiers: minQuantity must grow from tier to tier"
            }
        case .final:
            guard let quantity = line.quantity, let price = line.unitPrice, line.priceBand == nil, line.tiers == nil else {
                return "\(path): a final quote gives a quantity and the agreed unitPrice"
            }
            guard quantity > 0, quantity <= OrderPricing.maxQuantity else { return "\(path).quantity: must be 1 to \(OrderPricing.maxQuantity)" }
            guard price > 0, !price.multipliedReportingOverflow(by: quantity).overflow else { return "\(path).unitPrice: must be positive" }
        }
        return nil
    }

    /// A revision may stay at the quote's stage or move on, never back; an accepted quote takes none.
    public static func canRevise(_ status: QuoteStatus, from current: QuoteStage?, to next: QuoteStage) -> QuoteProblem? {
        if status == .accepted { return QuoteProblem(.quoteClosed, "the quote was accepted: it takes no new version") }
        if let current, next < current {
            return QuoteProblem(.stageBackwards, "a \(next.rawValue) quote cannot follow a \(current.rawValue) one")
        }
        return nil
    }

    /// The customer agrees to the current version: only a final one, still valid on `asOf`.
    public static func canAccept(_ status: QuoteStatus, _ terms: QuoteTerms, asOf: BusinessDate) -> QuoteProblem? {
        if status == .accepted { return QuoteProblem(.quoteClosed, "the quote was accepted already") }
        guard terms.stage == .final else { return QuoteProblem(.quoteNotFinal, "the current version is a \(terms.stage.rawValue) quote, not a final one") }
        if status == .expired || BusinessDate(terms.validUntil).map({ $0 < asOf }) ?? true {
            return QuoteProblem(.quoteExpired, "the quote was valid until \(terms.validUntil)")
        }
        return nil
    }

    /// Whether the current version's validity passed on `asOf`.
    public static func isExpired(_ terms: QuoteTerms, asOf: BusinessDate) -> Bool {
        BusinessDate(terms.validUntil).map { $0 < asOf } ?? false
    }

    /// The deepest discount any price of any line offers below the list price for the quantity
    /// it applies from, in hundredths of a percent (1250 = 12.50 %); 0 when none is below the list. A SKU
    /// without a list price counts as no discount here (`unknownSkus` reports it).
    public static func discount(_ terms: QuoteTerms, priceList: [String: [PriceTier]]) -> Int64 {
        terms.lines.flatMap { line in
            line.offers.compactMap { offer -> Int64? in
                guard let list = (priceList[line.sku] ?? []).unitPrice(for: offer.quantity), offer.price < list else { return nil }
                let below = list - offer.price, (scaled, overflow) = below.multipliedReportingOverflow(by: 10_000)
                return overflow ? below / (list / 10_000) : scaled / list
            }
        }.max() ?? 0
    }

    /// The SKUs of the version that are not on the price list in the quote's currency.
    public static func unknownSkus(_ terms: QuoteTerms, priceList: [String: [PriceTier]]) -> [String] {
        terms.lines.map(\.sku).filter { (priceList[$0] ?? []).isEmpty }
    }

    /// Two versions line by line, in the order of the later one (then the lines it dropped).
    public static func compare(_ from: QuoteTerms, _ to: QuoteTerms) -> [QuoteLineChange] {
        let before = Dictionary(uniqueKeysWithValues: from.lines.map { ($0.sku, $0) })
        let after = Set(to.lines.map(\.sku))
        var changes = to.lines.map { line in
            guard let old = before[line.sku] else { return QuoteLineChange(sku: line.sku, change: .added, from: nil, to: line) }
            return QuoteLineChange(sku: line.sku, change: old == line ? .same : .changed, from: old, to: line)
        }
        changes += from.lines.filter { !after.contains($0.sku) }.map { QuoteLineChange(sku: $0.sku, change: .removed, from: $0, to: nil) }
        return changes
    }
}
