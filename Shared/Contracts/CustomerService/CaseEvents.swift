import Foundation

/// `customer_service.complaint.opened`: accepted, with a committed resolution deadline and
/// the department it is routed to.
public struct ComplaintOpened: RoutedContract, Equatable {
    public static let messageType = "customer_service.complaint.opened.v1"
    public static let routingKey = "customer_service.complaint.opened"

    public let caseId: UUID
    public let caseNumber: String
    public let orderRef: String
    public let customerCode: String?
    public let channel: String
    public let category: String
    public let routedTo: String
    public let deadline: Date

    public init(caseId: UUID, caseNumber: String, orderRef: String, customerCode: String?, channel: String,
                category: String, routedTo: String, deadline: Date) {
        self.caseId = caseId; self.caseNumber = caseNumber; self.orderRef = orderRef; self.customerCode = customerCode
        self.channel = channel; self.category = category; self.routedTo = routedTo; self.deadline = deadline
    }
}

/// `customer_service.complaint.resolved`: the case has its result (a return, an explanation, …).
public struct ComplaintResolved: RoutedContract, Equatable {
    public static let messageType = "customer_service.complaint.resolved.v1"
    public static let routingKey = "customer_service.complaint.resolved"

    public let caseId: UUID
    public let caseNumber: String
    public let orderRef: String
    public let resolution: String
    public let note: String?

    public init(caseId: UUID, caseNumber: String, orderRef: String, resolution: String, note: String?) {
        self.caseId = caseId; self.caseNumber = caseNumber; self.orderRef = orderRef; self.resolution = resolution; self.note = note
    }
}

/// `customer_service.return.authorised`: goods may come back; logistics expects them.
public struct ReturnAuthorised: RoutedContract, Equatable {
    public static let messageType = "customer_service.return.authorised.v1"
    public static let routingKey = "customer_service.return.authorised"

    public let returnId: UUID
    public let caseId: UUID
    public let orderRef: String
    public let customerCode: String
    public let lines: [ItemQuantity]

    public init(returnId: UUID, caseId: UUID, orderRef: String, customerCode: String, lines: [ItemQuantity]) {
        self.returnId = returnId; self.caseId = caseId; self.orderRef = orderRef; self.customerCode = customerCode; self.lines = lines
    }
}

/// `customer_service.revisit.scheduled`: a call to confirm satisfaction after a delivery.
public struct RevisitScheduled: RoutedContract, Equatable {
    public static let messageType = "customer_service.revisit.scheduled.v1"
    public static let routingKey = "customer_service.revisit.scheduled"

    public let orderRef: String
    public let customerCode: String
    public let dueOn: BusinessDate

    public init(orderRef: String, customerCode: String, dueOn: BusinessDate) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.dueOn = dueOn
    }
}

/// `customer_service.complaint.escalated`: the committed deadline passed with the case still open.
public struct ComplaintEscalated: RoutedContract, Equatable {
    public static let messageType = "customer_service.complaint.escalated.v1"
    public static let routingKey = "customer_service.complaint.escalated"

    public let caseId: UUID
    public let caseNumber: String
    public let orderRef: String
    public let customerCode: String?
    public let routedTo: String
    public let deadline: Date
    public let hoursLate: Int

    public init(caseId: UUID, caseNumber: String, orderRef: String, customerCode: String?, routedTo: String, deadline: Date, asOf: Date) {
        self.caseId = caseId; self.caseNumber = caseNumber; self.orderRef = orderRef; self.customerCode = customerCode
        self.routedTo = routedTo; self.deadline = deadline
        self.hoursLate = max(0, Int(asOf.timeIntervalSince(deadline) / 3600))
    }
}
