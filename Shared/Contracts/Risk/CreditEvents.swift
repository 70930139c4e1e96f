import Foundation

/// What risk decided about one order. The three outcomes share this shape.
public struct CreditDecision: Codable, Sendable, Equatable {
    public let orderRef: String
    public let customerCode: String
    /// Open receivables + open orders + this order, minor units of the limit's currency.
    public let exposure: Int64
    public let creditLimit: Int64
    public let rating: String
    /// Machine-readable reason for a hold or rejection (`credit-limit-exceeded`, `customer-on-hold`, …).
    public let reasonCode: ReasonCode?
    public let message: String?
    /// The authorised person who released a hold.
    public let decidedBy: String?

    public init(orderRef: String, customerCode: String, exposure: Int64, creditLimit: Int64, rating: String,
                reasonCode: ReasonCode? = nil, message: String? = nil, decidedBy: String? = nil) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.exposure = exposure; self.creditLimit = creditLimit
        self.rating = rating; self.reasonCode = reasonCode; self.message = message; self.decidedBy = decidedBy
    }
}

