import Foundation
import Storage

/// What risk's HTTP API shows, read by typed queries (no JSON shaped in SQL).
struct CreditFileView: Codable, Sendable, Equatable {
    let customerCode: String
    let creditLimit: Int64
    let currency: String
    let rating: String
    let onHold: Bool
    let holdReason: String?
    /// Open receivables + the uninvoiced part of open orders.
    let exposure: Int64
    /// Every invoice with something still outstanding.
    let openInvoices: [OpenInvoiceView]
    /// The newest orders and log entries (at most `CreditReads.recent` each); the whole lists
    /// page at `/customers/{code}/orders` and `/customers/{code}/credit-log`.
    let recentOrders: [RiskOrderView]
    let recentLog: [CreditLogView]
}

struct OpenInvoiceView: Codable, Sendable, Equatable {
    let invoiceNumber: String
    let orderRef: String?
    let amount: Int64?
    let outstanding: Int64
    let overdue: Bool
}

struct RiskOrderView: Codable, Sendable, Equatable {
    let orderRef: String
    let customerCode: String
    let total: Int64
    let currency: String
    let status: String
    let reasonCode: String?
    let decidedBy: String?
    let createdAt: Date
    /// The keyset cursor of lists of orders.
    let seq: Int64
}

struct CreditLogView: Codable, Sendable, Equatable {
    let id: Int64
    let orderRef: String?
    let action: String
    let detail: String
    let exposure: Int64?
    let by: String?
    let at: Date
}

/// The reads, inside one transaction (`ServiceEnvironment.read`).
struct CreditReads {
    static let recent = 20
    let tx: Transaction

    /// Customers on credit hold and orders held for a person's review (the risk gauges).
    func holdCounts() throws -> (customers: Int64, orders: Int64) {
        let row = try tx.query("""
            SELECT (SELECT count(*) FROM credit_profiles WHERE on_hold) AS customers, (SELECT count(*) FROM orders WHERE status = 'held') AS orders
            """).first!
        return (try row.int("customers"), try row.int("orders"))
    }

    func creditFile(_ customer: String) throws -> CreditFileView? {
        guard let row = try tx.query("""
            SELECT customer_code, credit_limit, currency, rating, on_hold, hold_reason FROM credit_profiles WHERE customer_code = $1
            """, [.text(customer)]).first else { return nil }
        let invoices = try tx.query("""
            SELECT invoice_number, order_ref, amount, outstanding, overdue FROM invoices
            WHERE customer_code = $1 AND outstanding > 0 ORDER BY invoice_number
            """, [.text(customer)]).map { r in
            OpenInvoiceView(invoiceNumber: try r.string("invoice_number"), orderRef: try r.optionalString("order_ref"),
                            amount: try r.isNull("amount") ? nil : try r.int("amount"), outstanding: try r.int("outstanding"),
                            overdue: try r.bool("overdue"))
        }
        return CreditFileView(
            customerCode: try row.string("customer_code"), creditLimit: try row.int("credit_limit"), currency: try row.string("currency"),
            rating: try row.string("rating"), onHold: try row.bool("on_hold"), holdReason: try row.optionalString("hold_reason"),
            exposure: try CreditStore(tx: tx).exposure(of: customer), openInvoices: invoices,
            recentOrders: try orders(customer: customer, newestFirst: true, limit: Self.recent),
            recentLog: try log(customer: customer, newestFirst: true, limit: Self.recent))
    }

    /// Orders oldest first after the cursor (or newest first), `limit` of them (plus one to tell a next page).
    func orders(customer: String? = nil, status: String? = nil, after: Int64 = 0, newestFirst: Bool = false,
                limit: Int) throws -> [RiskOrderView] {
        let order = newestFirst ? "seq DESC" : "seq"
        return try tx.query("""
            SELECT order_ref, customer_code, total, currency, status, reason_code, decided_by, created_at, seq FROM orders
            WHERE ($1::text IS NULL OR customer_code = $1) AND ($2::text IS NULL OR status = $2) AND seq > $3
            ORDER BY \(order) LIMIT $4
            """, [customer.map(PGValue.text) ?? .null, status.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit))])
            .map(Self.order)
    }

    func order(_ ref: String) throws -> RiskOrderView? {
        try tx.query("""
            SELECT order_ref, customer_code, total, currency, status, reason_code, decided_by, created_at, seq FROM orders
            WHERE order_ref = $1
            """, [.text(ref)]).first.map(Self.order)
    }

    func log(customer: String, after: Int64 = 0, newestFirst: Bool = false, limit: Int) throws -> [CreditLogView] {
        let order = newestFirst ? "id DESC" : "id"
        return try tx.query("""
            SELECT id, order_ref, action, detail, exposure, by_whom, at FROM credit_log
            WHERE customer_code = $1 AND id > $2 ORDER BY \(order) LIMIT $3
            """, [.text(customer), .int(after), .int(Int64(limit))]).map { r in
            CreditLogView(id: try r.int("id"), orderRef: try r.optionalString("order_ref"), action: try r.string("action"),
                          detail: try r.string("detail"), exposure: try r.isNull("exposure") ? nil : try r.int("exposure"),
                          by: try r.optionalString("by_whom"), at: try r.timestamp("at"))
        }
    }

    private static func order(_ r: PGRow) throws -> RiskOrderView {
        RiskOrderView(orderRef: try r.string("order_ref"), customerCode: try r.string("customer_code"), total: try r.int("total"),
                      currency: try r.string("currency"), status: try r.string("status"), reasonCode: try r.optionalString("reason_code"),
                      decidedBy: try r.optionalString("decided_by"), createdAt: try r.timestamp("created_at"), seq: try r.int("seq"))
    }
}
