import Contracts

/// A customer's payment terms: all before delivery, a deposit first and the rest on
/// delivery, or everything N days after delivery.
public enum PaymentTerms: Sendable, Equatable {
    case prepaid
    case deposit(percent: Int64, restDays: Int)
    case net(days: Int)

    public static let standard = PaymentTerms.net(days: 30)

    public init?(kind: String, depositPercent: Int64, netDays: Int) {
        switch kind {
        case "prepaid": self = .prepaid
        case "deposit" where (1...99).contains(depositPercent) && netDays >= 0: self = .deposit(percent: depositPercent, restDays: netDays)
        case "net" where netDays >= 0: self = .net(days: netDays)
        default: return nil
        }
    }

    /// What to invoice when the order is accepted (before anything ships).
    public func invoiceOnAcceptance(total: Int64, on day: BusinessDate) -> PlannedInvoice? {
        switch self {
        case .prepaid: return PlannedInvoice(kind: .prepayment, amount: total, dueDate: day)
        case .deposit(let percent, _):
            let amount = (total * percent + 50) / 100  // rounded half up, in minor units
            return amount > 0 ? PlannedInvoice(kind: .deposit, amount: amount, dueDate: day) : nil
        case .net: return nil
        }
    }

    /// What to invoice on delivery: whatever the earlier invoices did not cover.
    public func invoiceOnDelivery(total: Int64, alreadyInvoiced: Int64, deliveredOn day: BusinessDate) -> PlannedInvoice? {
        let rest = total - alreadyInvoiced
        guard rest > 0 else { return nil }
        switch self {
        case .prepaid: return PlannedInvoice(kind: .final, amount: rest, dueDate: day)
        case .deposit(_, let days), .net(let days): return PlannedInvoice(kind: .final, amount: rest, dueDate: day.adding(days: days))
        }
    }
}

public struct PlannedInvoice: Sendable, Equatable {
    public let kind: InvoiceKind
    public let amount: Int64
    public let dueDate: BusinessDate
    public init(kind: InvoiceKind, amount: Int64, dueDate: BusinessDate) { self.kind = kind; self.amount = amount; self.dueDate = dueDate }
}

public struct OpenInvoice: Sendable, Equatable {
    public let number: String
    public let outstanding: Int64
    public init(number: String, outstanding: Int64) { self.number = number; self.outstanding = outstanding }
}

/// Splits money over open invoices in the order given (the named invoice first, then oldest due).
public enum PaymentAllocation {
    public static func allocate(_ amount: Int64, to invoices: [OpenInvoice]) -> (allocations: [Allocation], rest: Int64) {
        var left = amount
        var result: [Allocation] = []
        for invoice in invoices where left > 0 && invoice.outstanding > 0 {
            let take = min(left, invoice.outstanding)
            result.append(Allocation(invoiceNumber: invoice.number, amount: take, outstanding: invoice.outstanding - take))
            left -= take
        }
        return (result, left)
    }
}

/// Receivables by age on an "as of" date, for the collections report.
public enum Ageing {
    public static let buckets = ["current", "1-30", "31-60", "61-90", "90+"]

    public static func bucket(dueDate: BusinessDate, asOf: BusinessDate) -> String {
        let late = dueDate.days(until: asOf)
        switch late {
        case ..<1: return "current"
        case 1...30: return "1-30"
        case 31...60: return "31-60"
        case 61...90: return "61-90"
        default: return "90+"
        }
    }
}

/// A balanced journal entry: debits equal credits, or it is not an entry.
public struct JournalEntry: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public let account: String
        public let debit: Int64
        public let credit: Int64
        public init(account: String, debit: Int64 = 0, credit: Int64 = 0) { self.account = account; self.debit = debit; self.credit = credit }
    }

    public let memo: String
    public let lines: [Line]

    public init?(memo: String, lines: [Line]) {
        let kept = lines.filter { $0.debit != 0 || $0.credit != 0 }
        guard !kept.isEmpty, kept.allSatisfy({ $0.debit >= 0 && $0.credit >= 0 }),
              kept.reduce(0, { $0 + $1.debit }) == kept.reduce(0, { $0 + $1.credit }) else { return nil }
        self.memo = memo; self.lines = kept
    }
}

/// The chart of accounts the services post to.
public enum Account {
    public static let bank = "1000 Bank"
    public static let receivables = "1100 Accounts receivable"
    public static let customerAdvances = "2200 Customer advances"
    public static let customerCredit = "2300 Customer credit"
    public static let suspense = "2900 Unallocated receipts"
    public static let revenue = "4000 Sales revenue"
    public static let returns = "4100 Sales returns"
}
