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

/// `risk.credit.approved`: the order may go on (first check, or an authorised release of a hold).
public struct CreditApproved: RoutedContract, Equatable {
    public static let messageType = "risk.credit.approved.v1"
    public static let routingKey = "risk.credit.approved"
    public let decision: CreditDecision
    public init(_ decision: CreditDecision) { self.decision = decision }
}

/// `risk.credit.rejected`: the order must not go on.
public struct CreditRejected: RoutedContract, Equatable {
    public static let messageType = "risk.credit.rejected.v1"
    public static let routingKey = "risk.credit.rejected"
    public let decision: CreditDecision
    public init(_ decision: CreditDecision) { self.decision = decision }
}

/// `risk.credit.held`: a person must review the order before it goes on.
public struct CreditHeld: RoutedContract, Equatable {
    public static let messageType = "risk.credit.held.v1"
    public static let routingKey = "risk.credit.held"
    public let decision: CreditDecision
    public init(_ decision: CreditDecision) { self.decision = decision }
}

/// `risk.customer.rating_changed`: a customer's rating or hold changed (overdue invoices, a release).
public struct CustomerRatingChanged: RoutedContract, Equatable {
    public static let messageType = "risk.customer.rating_changed.v1"
    public static let routingKey = "risk.customer.rating_changed"

    public let customerCode: String
    public let previousRating: String
    public let rating: String
    public let onHold: Bool
    public let reason: String

    public init(customerCode: String, previousRating: String, rating: String, onHold: Bool, reason: String) {
        self.customerCode = customerCode; self.previousRating = previousRating; self.rating = rating
        self.onHold = onHold; self.reason = reason
    }
}
