// Fields of generated events (FinanceEvents.swift) that follow from others: the rule is written once, here.
extension InvoiceOverdue {
    /// Days overdue are counted from the due date to the run's date.
    public init(invoiceNumber: String, orderRef: String, customerCode: String, outstanding: Int64, currency: String,
                dueDate: BusinessDate, asOf: BusinessDate) {
        self.init(invoiceNumber: invoiceNumber, orderRef: orderRef, customerCode: customerCode, outstanding: outstanding,
                  currency: currency, dueDate: dueDate, asOf: asOf, daysOverdue: dueDate.days(until: asOf))
    }
}
