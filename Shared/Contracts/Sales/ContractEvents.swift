import Foundation

/// A product under a contract: its volume (the quantity agreed for the contract's validity) at the agreed price.
public struct ContractLine: Sendable, Codable, Equatable {
    public let sku: String
    public let quantity: Int64
    public let unitPrice: Int64
    public init(sku: String, quantity: Int64, unitPrice: Int64) { self.sku = sku; self.quantity = quantity; self.unitPrice = unitPrice }
}

/// How the goods reach the customer: at most `leadTimeDays` from an order to its delivery.
public struct DeliveryTerms: Sendable, Codable, Equatable {
    public let leadTimeDays: Int64
    /// How they travel and who pays for it, as agreed (free text).
    public let shipping: String?
    public init(leadTimeDays: Int64, shipping: String? = nil) { self.leadTimeDays = leadTimeDays; self.shipping = shipping }
}

/// What a contract (合同) says: the products, specs and prices of the accepted final quote, the
/// payment and delivery terms, liability for breach, returns and compensation, its validity.
public struct ContractTerms: Sendable, Codable, Equatable {
    public let lines: [ContractLine]
    public let paymentTerms: AgreedPaymentTerms
    public let delivery: DeliveryTerms
    /// Product specifications the goods must meet.
    public let specs: String?
    /// Liability for breach.
    public let liability: String
    /// Returns, exchanges and compensation.
    public let returnsTerms: String
    public let validFrom: String
    public let validUntil: String
    public init(lines: [ContractLine], paymentTerms: AgreedPaymentTerms, delivery: DeliveryTerms, specs: String?, liability: String,
                returnsTerms: String, validFrom: String, validUntil: String) {
        self.lines = lines; self.paymentTerms = paymentTerms; self.delivery = delivery; self.specs = specs
        self.liability = liability; self.returnsTerms = returnsTerms; self.validFrom = validFrom; self.validUntil = validUntil
    }

    /// The contract's value: every line's volume at its price (nil when it overflows).
    public var value: Int64? {
        var total: Int64 = 0
        for line in lines {
            let (amount, overflow) = line.quantity.multipliedReportingOverflow(by: line.unitPrice)
            let (sum, sumOverflow) = total.addingReportingOverflow(amount)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        return total
    }
}

/// A department's answer to a contract revision it was asked to review.
public protocol ContractReviewedEvent: RoutedContract, Equatable {
    static var department: String { get }
    var contractNo: String { get }
    var revision: Int64 { get }
    /// `approved` or `rejected`.
    var outcome: String { get }
    /// What the department found, from its own data (why, when rejected).
    var remarks: String { get }
    init(contractNo: String, revision: Int64, outcome: String, remarks: String)
}
