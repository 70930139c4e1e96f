import Contracts

/// A planned visit (拜访计划) is done once its outcome is logged, or cancelled.
public enum VisitStatus: String, Sendable, Codable, CaseIterable { case planned, done, cancelled }

/// What goes wrong with an order that its salesperson must handle (订单跟进).
public enum ExceptionKind: String, Sendable, Codable, CaseIterable {
    /// Not delivered by the date the customer asked for.
    case late
    /// The customer complained (a quality problem, a wrong or damaged delivery…).
    case complaint
    /// Risk holds the order for credit review.
    case creditHold = "credit-hold"
}

/// The salesperson's follow-up rules: pure.
public enum FollowUp {
    /// Hours an exception stays with the order's salesperson before it goes to their manager too.
    public static let escalationHours = 24

    /// A planned visit whose day passed without its outcome logged.
    public static func isOverdue(_ status: VisitStatus, plannedFor: BusinessDate, asOf: BusinessDate) -> Bool {
        status == .planned && plannedFor < asOf
    }

    /// The statuses in which an order past the day the customer asked for is late: still on its
    /// way to them (not delivered, completed, rejected or cancelled).
    public static func canBeLate(_ status: OrderStatus) -> Bool {
        [.placed, .held, .accepted, .backordered, .reserved, .dispatched].contains(status)
    }
}
