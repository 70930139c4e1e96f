import Foundation

/// The three steps of a negotiation (报价): a price band, then concrete prices by volume with
/// service and payment terms, then the agreed price.
public enum QuoteStage: String, Sendable, Codable, CaseIterable, Comparable {
    case initial, second, final
    public var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// Payment terms as a quote or contract states them, in finance's words: `prepaid` (all before
/// delivery), `deposit` (`depositPercent` first, the rest `netDays` after delivery) or `net`
/// (everything `netDays` after delivery).
public struct AgreedPaymentTerms: Sendable, Codable, Equatable {
    public let kind: String
    public let depositPercent: Int64?
    public let netDays: Int64?
    public init(kind: String, depositPercent: Int64? = nil, netDays: Int64? = nil) {
        self.kind = kind; self.depositPercent = depositPercent; self.netDays = netDays
    }
    public static let kinds = ["prepaid", "deposit", "net"]
}

/// A line of a version: a price band (initial), prices by volume (second), or a quantity at
/// the agreed price (final). Prices in minor units of the quote's currency.
public struct QuoteLine: Sendable, Codable, Equatable {
    public struct Band: Sendable, Codable, Equatable {
        public let low: Int64, high: Int64
        public init(low: Int64, high: Int64) { self.low = low; self.high = high }
    }
    public struct Tier: Sendable, Codable, Equatable {
        public let minQuantity: Int64, unitPrice: Int64
        public init(minQuantity: Int64, unitPrice: Int64) { self.minQuantity = minQuantity; self.unitPrice = unitPrice }
    }
    public let sku: String
    public let priceBand: Band?
    public let tiers: [Tier]?
    public let quantity: Int64?
    public let unitPrice: Int64?
    public init(sku: String, priceBand: Band? = nil, tiers: [Tier]? = nil, quantity: Int64? = nil, unitPrice: Int64? = nil) {
        self.sku = sku; self.priceBand = priceBand; self.tiers = tiers; self.quantity = quantity; self.unitPrice = unitPrice
    }
}

/// What one version says: everything the customer is sent.
public struct QuoteTerms: Sendable, Codable, Equatable {
    public let stage: QuoteStage
    public let validUntil: String
    public let lines: [QuoteLine]
    public let serviceTerms: String?
    public let paymentTerms: AgreedPaymentTerms?
    public init(stage: QuoteStage, validUntil: String, lines: [QuoteLine], serviceTerms: String? = nil, paymentTerms: AgreedPaymentTerms? = nil) {
        self.stage = stage; self.validUntil = validUntil; self.lines = lines; self.serviceTerms = serviceTerms; self.paymentTerms = paymentTerms
    }
}

