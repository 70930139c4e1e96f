import Foundation

/// `finance.invoice.issued`: a receivable exists. `kind` is `deposit`, `prepayment` or `final`.
public struct InvoiceIssued: RoutedContract, Equatable {
    public static let messageType = "finance.invoice.issued.v1"
    public static let routingKey = "finance.invoice.issued"

    public let invoiceNumber: String
    public let orderRef: String
    public let customerCode: String
    public let kind: InvoiceKind
    public let amount: Int64
    public let currency: String
    public let issueDate: BusinessDate
    public let dueDate: BusinessDate

    public init(invoiceNumber: String, orderRef: String, customerCode: String, kind: InvoiceKind, amount: Int64,
                currency: String, issueDate: BusinessDate, dueDate: BusinessDate) {
        self.invoiceNumber = invoiceNumber; self.orderRef = orderRef; self.customerCode = customerCode; self.kind = kind
        self.amount = amount; self.currency = currency; self.issueDate = issueDate; self.dueDate = dueDate
    }
}

/// `finance.deposit.requested`: the customer's terms ask for money before delivery.
public struct DepositRequested: RoutedContract, Equatable {
    public static let messageType = "finance.deposit.requested.v1"
    public static let routingKey = "finance.deposit.requested"

    public let orderRef: String
    public let customerCode: String
    public let invoiceNumber: String
    public let amount: Int64
    public let currency: String
    public let dueDate: BusinessDate

    public init(orderRef: String, customerCode: String, invoiceNumber: String, amount: Int64, currency: String, dueDate: BusinessDate) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.invoiceNumber = invoiceNumber
        self.amount = amount; self.currency = currency; self.dueDate = dueDate
    }
}

/// How much of a payment or credit note went to one invoice, and what is left on it.
public struct Allocation: Codable, Sendable, Equatable {
    public let invoiceNumber: String
    public let amount: Int64
    public let outstanding: Int64
    public init(invoiceNumber: String, amount: Int64, outstanding: Int64) {
        self.invoiceNumber = invoiceNumber; self.amount = amount; self.outstanding = outstanding
    }
}

/// `finance.payment.received`: a payment was recorded and allocated. What could not be
/// allocated is customer credit, which pays the customer's next invoice (or, with no customer
/// known, it waits as unallocated cash).
public struct PaymentReceived: RoutedContract, Equatable {
    public static let messageType = "finance.payment.received.v1"
    public static let routingKey = "finance.payment.received"

    public let bankReference: String
    public let customerCode: String?
    public let orderRef: String?
    public let amount: Int64
    public let currency: String
    public let allocations: [Allocation]
    /// The customer's credit (overpaid, or paid before the invoice) or unallocated cash (unknown reference).
    public let unallocated: Int64

    public init(bankReference: String, customerCode: String?, orderRef: String?, amount: Int64, currency: String,
                allocations: [Allocation], unallocated: Int64) {
        self.bankReference = bankReference; self.customerCode = customerCode; self.orderRef = orderRef
        self.amount = amount; self.currency = currency; self.allocations = allocations; self.unallocated = unallocated
    }
}

/// `finance.invoice.paid`: an invoice is paid in full. `orderSettled` says the whole order
/// is invoiced and paid (sales completes it once it is also delivered).
public struct InvoicePaid: RoutedContract, Equatable {
    public static let messageType = "finance.invoice.paid.v1"
    public static let routingKey = "finance.invoice.paid"

    public let invoiceNumber: String
    public let orderRef: String
    public let customerCode: String
    public let kind: InvoiceKind
    public let amount: Int64
    public let orderSettled: Bool

    public init(invoiceNumber: String, orderRef: String, customerCode: String, kind: InvoiceKind, amount: Int64, orderSettled: Bool) {
        self.invoiceNumber = invoiceNumber; self.orderRef = orderRef; self.customerCode = customerCode; self.kind = kind
        self.amount = amount; self.orderSettled = orderSettled
    }
}

/// `finance.invoice.overdue`: found by a collections run; risk lowers the customer's rating.
public struct InvoiceOverdue: RoutedContract, Equatable {
    public static let messageType = "finance.invoice.overdue.v1"
    public static let routingKey = "finance.invoice.overdue"

    public let invoiceNumber: String
    public let orderRef: String
    public let customerCode: String
    public let outstanding: Int64
    public let currency: String
    public let dueDate: BusinessDate
    public let asOf: BusinessDate
    public let daysOverdue: Int

    public init(invoiceNumber: String, orderRef: String, customerCode: String, outstanding: Int64, currency: String,
                dueDate: BusinessDate, asOf: BusinessDate) {
        self.invoiceNumber = invoiceNumber; self.orderRef = orderRef; self.customerCode = customerCode
        self.outstanding = outstanding; self.currency = currency; self.dueDate = dueDate; self.asOf = asOf
        self.daysOverdue = dueDate.days(until: asOf)
    }
}

/// `finance.invoice.voided`: an unpaid invoice of a cancelled order no longer counts.
public struct InvoiceVoided: RoutedContract, Equatable {
    public static let messageType = "finance.invoice.voided.v1"
    public static let routingKey = "finance.invoice.voided"

    public let invoiceNumber: String
    public let orderRef: String
    public let customerCode: String
    public let amount: Int64

    public init(invoiceNumber: String, orderRef: String, customerCode: String, amount: Int64) {
        self.invoiceNumber = invoiceNumber; self.orderRef = orderRef; self.customerCode = customerCode; self.amount = amount
    }
}

/// `finance.credit_note.issued`: money owed back to the customer (a return, a compensation).
/// It reduces what is outstanding on the order's invoices; the rest becomes customer credit.
public struct CreditNoteIssued: RoutedContract, Equatable {
    public static let messageType = "finance.credit_note.issued.v1"
    public static let routingKey = "finance.credit_note.issued"

    public let creditNoteNumber: String
    public let orderRef: String
    public let customerCode: String
    public let caseId: UUID?
    public let amount: Int64
    public let currency: String
    public let allocations: [Allocation]
    public let customerCredit: Int64

    public init(creditNoteNumber: String, orderRef: String, customerCode: String, caseId: UUID?, amount: Int64,
                currency: String, allocations: [Allocation], customerCredit: Int64) {
        self.creditNoteNumber = creditNoteNumber; self.orderRef = orderRef; self.customerCode = customerCode
        self.caseId = caseId; self.amount = amount; self.currency = currency; self.allocations = allocations
        self.customerCredit = customerCredit
    }
}

/// `finance.credit.applied`: the customer's credit (an earlier overpayment, a payment that came
/// before its invoice, a credit note) was set against a new invoice.
public struct CreditApplied: RoutedContract, Equatable {
    public static let messageType = "finance.credit.applied.v1"
    public static let routingKey = "finance.credit.applied"

    public let customerCode: String
    public let orderRef: String
    public let amount: Int64
    public let currency: String
    public let allocations: [Allocation]
    /// What is left of the customer's credit in this currency.
    public let creditLeft: Int64

    public init(customerCode: String, orderRef: String, amount: Int64, currency: String, allocations: [Allocation], creditLeft: Int64) {
        self.customerCode = customerCode; self.orderRef = orderRef; self.amount = amount; self.currency = currency
        self.allocations = allocations; self.creditLeft = creditLeft
    }
}

/// `finance.order.cleared`: finance lets the goods of an order leave the warehouse — at once
/// under net terms, or once every deposit or prepayment invoice is paid. Logistics dispatches
/// nothing finance has not cleared.
public struct OrderCleared: RoutedContract, Equatable {
    public static let messageType = "finance.order.cleared.v1"
    public static let routingKey = "finance.order.cleared"

    public let orderRef: String
    public let customerCode: String
    /// `net-terms` or `advance-paid`.
    public let reason: String

    public init(orderRef: String, customerCode: String, reason: String) {
        self.orderRef = orderRef; self.customerCode = customerCode; self.reason = reason
    }
}
