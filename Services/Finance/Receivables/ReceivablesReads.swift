import Contracts
import FinanceDomain
import Foundation
import Storage

struct InvoiceView: Codable, Sendable, Equatable {
    let invoiceNumber: String
    let orderRef: String
    let customerCode: String
    let kind: String
    let amount: Int64
    let outstanding: Int64
    let currency: String
    let issueDate: String
    let dueDate: String
    let status: String
    let overdueOn: String?
    /// The keyset cursor of lists of invoices.
    let seq: Int64
}

struct AllocationView: Codable, Sendable, Equatable {
    let id: Int64
    let source: String
    let reference: String
    let amount: Int64
    let at: Date
}

/// An invoice's fields with what paid it.
struct InvoiceDetailView: Encodable, Sendable, Equatable {
    let invoice: InvoiceView
    let allocations: [AllocationView]

    enum CodingKeys: String, CodingKey { case allocations }
    func encode(to encoder: Encoder) throws {
        try invoice.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(allocations, forKey: .allocations)
    }
}

struct AccountView: Codable, Sendable, Equatable {
    struct Terms: Codable, Sendable, Equatable { let kind: String; let depositPercent: Int64; let netDays: Int64 }
    let customerCode: String
    let terms: Terms?
    /// Money the customer has with us, per currency.
    let credit: [String: Int64]
    let outstanding: Int64
    /// Open receivables by age as of the day asked (`Ageing` buckets).
    let ageing: [String: Int64]
    /// Every open invoice (the whole list pages at `/invoices?customer=`).
    let openInvoices: [InvoiceView]
}

/// Invoices and accounts as read, inside one transaction (`ServiceEnvironment.read`). Lists oldest first after a cursor.
struct ReceivablesReads {
    let tx: Transaction

    /// Invoices by status, and the open ones past their due date (the finance gauges).
    func invoiceCounts() throws -> (byStatus: [String: Int64], overdue: Int64) {
        var byStatus: [String: Int64] = [:], overdue: Int64 = 0
        for row in try tx.query("""
            SELECT status, count(*) AS n, count(*) FILTER (WHERE status = 'open' AND due_date < current_date) AS overdue FROM invoices GROUP BY status
            """) {
            byStatus[try row.string("status")] = try row.int("n"); overdue += try row.int("overdue")
        }
        return (byStatus, overdue)
    }
    static let invoiceColumns = """
        number, order_ref, customer_code, kind, amount, outstanding, currency, issue_date::text AS issue_date,
        due_date::text AS due_date, status, overdue_on::text AS overdue_on, seq
        """

    func invoices(customer: String? = nil, order: String? = nil, status: String? = nil, after: Int64 = 0, limit: Int) throws -> [InvoiceView] {
        try tx.query("""
            SELECT \(Self.invoiceColumns) FROM invoices
            WHERE ($1::text IS NULL OR customer_code = $1) AND ($2::text IS NULL OR order_ref = $2) AND ($3::text IS NULL OR status = $3)
              AND seq > $4 ORDER BY seq LIMIT $5
            """, [customer.map(PGValue.text) ?? .null, order.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null,
                  .int(after), .int(Int64(limit))]).map(Self.invoice)
    }

    func invoice(_ number: String) throws -> InvoiceDetailView? {
        guard let row = try tx.query("SELECT \(Self.invoiceColumns) FROM invoices WHERE number = $1", [.text(number)]).first else { return nil }
        let allocations = try tx.query("SELECT id, source, source_ref, amount, at FROM allocations WHERE invoice_number = $1 ORDER BY id",
                                       [.text(number)]).map { r in
            AllocationView(id: try r.int("id"), source: try r.string("source"), reference: try r.string("source_ref"),
                           amount: try r.int("amount"), at: try r.timestamp("at"))
        }
        return InvoiceDetailView(invoice: try Self.invoice(row), allocations: allocations)
    }

    func account(_ customer: String, asOf: BusinessDate) throws -> AccountView? {
        let terms = try tx.query("SELECT kind, deposit_percent, net_days FROM terms WHERE customer_code = $1", [.text(customer)]).first.map {
            AccountView.Terms(kind: try $0.string("kind"), depositPercent: try $0.int("deposit_percent"), netDays: try $0.int("net_days"))
        }
        let credit = Dictionary(try tx.query("SELECT currency, balance FROM customer_credit WHERE customer_code = $1", [.text(customer)])
            .map { (try $0.string("currency"), try $0.int("balance")) }, uniquingKeysWith: +)
        let known = try !tx.query("SELECT 1 FROM orders WHERE customer_code = $1 LIMIT 1", [.text(customer)]).isEmpty
        guard terms != nil || known || !credit.isEmpty else { return nil }
        let open = try invoices(customer: customer, status: "open", limit: Int.max / 2)
        var ageing: [String: Int64] = [:]
        for invoice in open {
            guard let due = BusinessDate(invoice.dueDate) else { continue }
            ageing[Ageing.bucket(dueDate: due, asOf: asOf), default: 0] += invoice.outstanding
        }
        return AccountView(customerCode: customer, terms: terms, credit: credit, outstanding: open.reduce(0) { $0 + $1.outstanding },
                           ageing: ageing, openInvoices: open)
    }

    private static func invoice(_ r: PGRow) throws -> InvoiceView {
        InvoiceView(invoiceNumber: try r.string("number"), orderRef: try r.string("order_ref"), customerCode: try r.string("customer_code"),
                    kind: try r.string("kind"), amount: try r.int("amount"), outstanding: try r.int("outstanding"),
                    currency: try r.string("currency"), issueDate: try r.string("issue_date"), dueDate: try r.string("due_date"),
                    status: try r.string("status"), overdueOn: try r.optionalString("overdue_on"), seq: try r.int("seq"))
    }
}
