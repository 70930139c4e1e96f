import Contracts

/// A customer's credit standing as risk keeps it.
public struct CreditProfile: Sendable, Equatable {
    public let customerCode: String
    public let creditLimit: Int64
    public let rating: Rating
    public let onHold: Bool
    public init(customerCode: String, creditLimit: Int64, rating: Rating, onHold: Bool) {
        self.customerCode = customerCode; self.creditLimit = creditLimit; self.rating = rating; self.onHold = onHold
    }
}

/// A: sound, B: watch, C: weak, D: blocked (no new orders).
public enum Rating: String, Sendable, CaseIterable, Comparable {
    case a = "A", b = "B", c = "C", d = "D"

    /// How far over the limit an order may go to a person's review instead of a rejection.
    public var reviewMarginPercent: Int64 {
        switch self { case .a: 50; case .b: 20; case .c, .d: 0 }
    }

    /// One step worse (an overdue invoice); D stays D.
    public var lowered: Rating {
        switch self { case .a: .b; case .b: .c; case .c, .d: .d }
    }

    public static func < (x: Rating, y: Rating) -> Bool { x.rawValue < y.rawValue }
}

public enum CreditOutcome: Sendable, Equatable {
    case approve
    case hold(code: ReasonCode, message: String)
    case reject(code: ReasonCode, message: String)
}

/// The credit check of one order: pure rules, no I/O.
public enum CreditPolicy {
    /// `exposure` is the customer's open receivables + open orders, without this order.
    public static func decide(profile: CreditProfile?, exposure: Int64, orderTotal: Int64) -> CreditOutcome {
        guard let profile else {
            return .hold(code: .noCreditProfile, message: "customer has no credit limit yet: a person must set one or release the order")
        }
        let (total, overflow) = exposure.addingReportingOverflow(orderTotal)
        if overflow { return .reject(code: .creditLimitExceeded, message: "exposure is beyond any credit limit") }
        if profile.rating == .d {
            return .reject(code: .creditBlocked, message: "customer \(profile.customerCode) is rated D: no new orders on credit")
        }
        if profile.onHold {
            return .hold(code: .customerOnHold, message: "customer \(profile.customerCode) is on credit hold (overdue invoices)")
        }
        if total <= profile.creditLimit { return .approve }
        let margin = profile.creditLimit / 100 * profile.rating.reviewMarginPercent
        let text = "exposure \(total) would exceed the credit limit \(profile.creditLimit)"
        let (ceiling, capped) = profile.creditLimit.addingReportingOverflow(margin)
        if capped || total <= ceiling {
            return .hold(code: .creditLimitReview, message: "\(text) by less than \(profile.rating.reviewMarginPercent)%: a person must review it")
        }
        return .reject(code: .creditLimitExceeded, message: text)
    }
}
