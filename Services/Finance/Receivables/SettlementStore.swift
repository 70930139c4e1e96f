import Contracts
import FinanceDomain
import Foundation
import Messaging
import Storage

/// What money does to a customer's invoices and credit: allocations applied, credit kept, what
/// is still open, whether an order is settled.
enum SettlementStore {
    static func credit(_ tx: Transaction, customer: String, currency: String, by amount: Int64) throws {
        guard amount != 0 else { return }
        try tx.execute("""
            INSERT INTO customer_credit (customer_code, currency, balance) VALUES ($1, $2, $3)
            ON CONFLICT (customer_code, currency) DO UPDATE SET balance = customer_credit.balance + $3
            """, [.text(customer), .text(currency), .int(amount)])
    }

    /// Applies allocations to invoices; returns the invoices they paid off.
    static func apply(_ allocations: [Allocation], source: String, reference: String, _ tx: Transaction) throws -> [String] {
        var paid: [String] = []
        for a in allocations {
            try tx.execute("""
                UPDATE invoices SET outstanding = $2::bigint, status = CASE WHEN $2::bigint = 0 THEN 'paid' ELSE status END WHERE number = $1
                """, [.text(a.invoiceNumber), .int(a.outstanding)])
            try tx.execute("INSERT INTO allocations (source, source_ref, invoice_number, amount) VALUES ($1, $2, $3, $4)",
                           [.text(source), .text(reference), .text(a.invoiceNumber), .int(a.amount)])
            if a.outstanding == 0 { paid.append(a.invoiceNumber) }
        }
        return paid
    }

    /// Open invoices of an order (or a named one first), oldest due first, locked.
    static func openInvoices(orderRef: String?, first invoice: String?, _ tx: Transaction) throws -> [OpenInvoice] {
        try tx.query("""
            SELECT number, outstanding FROM invoices
            WHERE status = 'open' AND (number = $2 OR order_ref = $1 OR order_ref = (SELECT order_ref FROM invoices WHERE number = $2))
            ORDER BY (number = $2) DESC, due_date, number FOR UPDATE
            """, [orderRef.map(PGValue.text) ?? .null, invoice.map(PGValue.text) ?? .null])
            .map { OpenInvoice(number: try $0.string("number"), outstanding: try $0.int("outstanding")) }
    }

    /// Whole order invoiced and nothing outstanding.
    static func orderSettled(_ orderRef: String, _ tx: Transaction) throws -> Bool {
        let row = try tx.query("""
            SELECT o.total, COALESCE(sum(i.amount), 0) AS invoiced, COALESCE(sum(i.outstanding), 0) AS outstanding
            FROM orders o LEFT JOIN invoices i ON i.order_ref = o.order_ref AND i.status <> 'void'
            WHERE o.order_ref = $1 GROUP BY o.total
            """, [.text(orderRef)]).first
        guard let row, let total = try row.optionalInt("total") else { return false }
        return try row.int("invoiced") == total && row.int("outstanding") == 0
    }
}
