import Contracts
import Foundation
import Storage

/// An order line as kept: priced (`unitPrice`, `lineTotal`) once placed; as asked on a rejected one.
struct OrderLineView: Codable, Sendable, Equatable {
    let sku: String
    let quantity: Int64
    let unitPrice: Int64?
    let lineTotal: Int64?
}

struct OrderHistoryView: Codable, Sendable, Equatable {
    let id: Int64
    let status: String
    let event: String
    let detail: String?
    let at: Date
    /// Who caused it: a person (token subject) or an outside system; absent for rows from before it was kept.
    let actor: String?
}

struct SalesOrderView: Codable, Sendable, Equatable {
    let orderId: UUID
    let orderRef: String
    let customerCode: String
    let status: String
    let paid: Bool
    let currency: String?
    let total: Int64?
    let reasonCode: String?
    let lines: [OrderLineView]
    let deliveryAddress: PlaceOrder.Address
    let requestedDeliveryDate: String?
    let createdAt: Date
    let updatedAt: Date
    /// The keyset cursor of lists of orders.
    let seq: Int64
    /// The salesperson the order belongs to: the customer's owner (else the salesperson who entered it).
    let owner: String?
    /// The signed contract the order is under.
    let contractNo: String?
    /// Every event of every department about the order, oldest first (in `GET /orders/{ref}` only).
    let history: [OrderHistoryView]?
}

/// Orders as read, inside one transaction (`ServiceEnvironment.read`).
struct OrderReads {
    let tx: Transaction
    static let columns = """
        id, order_ref, customer_code, status, paid, currency, total, reason_code, lines::text AS lines,
        delivery_address::text AS address, requested_delivery_date::text AS requested, created_at, updated_at, seq, owner, contract_no
        """

    /// Every order under the reference, each with its history: the rejected attempts first (oldest
    /// first), then the live order, if any, last (a duplicate rejected after it is still listed before it).
    func orders(ref: String) throws -> [SalesOrderView] {
        try tx.query("SELECT \(Self.columns) FROM orders WHERE order_ref = $1 ORDER BY status <> 'rejected', created_at, seq",
                     [.text(ref)]).map { row in
            let history = try tx.query("SELECT id, status, event, detail, at, actor FROM order_history WHERE order_id = $1 ORDER BY id",
                                       [.uuid(try row.uuid("id"))]).map { h in
                OrderHistoryView(id: try h.int("id"), status: try h.string("status"), event: try h.string("event"),
                                 detail: try h.optionalString("detail"), at: try h.timestamp("at"), actor: try h.optionalString("actor"))
            }
            return try Self.order(row, history: history)
        }
    }

    /// Orders oldest first after the cursor, without their histories.
    func orders(status: String?, customer: String?, after: Int64, limit: Int) throws -> [SalesOrderView] {
        try tx.query("""
            SELECT \(Self.columns) FROM orders
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR customer_code = $2) AND seq > $3 ORDER BY seq LIMIT $4
            """, [status.map(PGValue.text) ?? .null, customer.map(PGValue.text) ?? .null, .int(after), .int(Int64(limit))])
            .map { try Self.order($0, history: nil) }
    }

    /// How many orders are in each status, and how many of them have not moved for `stuckAfter`
    /// seconds: what the order-flow gauges and the stuck-order alert read.
    func orderCounts(stuckAfter: Int) throws -> [(status: String, orders: Int64, stuck: Int64)] {
        try tx.query("""
            SELECT status, count(*) AS orders, count(*) FILTER (WHERE updated_at < now() - make_interval(secs => $1)) AS stuck
            FROM orders GROUP BY status
            """, [.int(Int64(stuckAfter))]).map { (try $0.string("status"), try $0.int("orders"), try $0.int("stuck")) }
    }

    private static func order(_ r: PGRow, history: [OrderHistoryView]?) throws -> SalesOrderView {
        SalesOrderView(orderId: try r.uuid("id"), orderRef: try r.string("order_ref"), customerCode: try r.string("customer_code"),
                       status: try r.string("status"), paid: try r.bool("paid"), currency: try r.optionalString("currency"),
                       total: try r.optionalInt("total"), reasonCode: try r.optionalString("reason_code"),
                       lines: try r.json("lines", as: [OrderLineView].self), deliveryAddress: try r.json("address", as: PlaceOrder.Address.self),
                       requestedDeliveryDate: try r.optionalString("requested"), createdAt: try r.timestamp("created_at"),
                       updatedAt: try r.timestamp("updated_at"), seq: try r.int("seq"), owner: try r.optionalString("owner"),
                       contractNo: try r.optionalString("contract_no"), history: history)
    }
}
