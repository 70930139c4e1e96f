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

struct CustomerView: Codable, Sendable, Equatable {
    let code: String
    let name: String
    let currency: String
    let allowsPriceOverride: Bool
    /// Contract prices of the customer file (in `GET /customers/{code}` only).
    let contractPrices: [String: Int64]?
    /// How many orders the customer has placed (rejected ones too).
    let orders: Int64
    let taxId: String?
    let city: String?
    let industry: String?
    let contacts: [CustomerContact]
    let needs: String?
    let purchaseIntent: String?
    let source: String?
    /// The salesperson who owns the customer.
    let owner: String?
    let classification: String
    let keyAccount: Bool
    let stage: String
    let lastActivityAt: Date
    let seq: Int64
}

struct ProductView: Codable, Sendable, Equatable {
    struct Tier: Codable, Sendable, Equatable { let currency: String; let minQuantity: Int64; let unitPrice: Int64 }
    let sku: String
    let name: String
    let tiers: [Tier]
}

/// The reads, inside one transaction (`ServiceEnvironment.read`).
struct SalesReads {
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

    static let customerColumns = """
        code, name, currency, allows_price_override, (SELECT count(*) FROM orders WHERE customer_code = c.code) AS orders, tax_id, city,
        industry, contacts::text AS contacts, needs, purchase_intent, source, owner, classification, key_account, stage, last_activity_at, seq
        """

    func customer(_ code: String) throws -> CustomerView? {
        guard let row = try tx.query("SELECT \(Self.customerColumns) FROM customers c WHERE code = $1", [.text(code)]).first else { return nil }
        let prices = Dictionary(try tx.query("SELECT sku, unit_price FROM contract_prices WHERE customer_code = $1", [.text(code)])
            .map { (try $0.string("sku"), try $0.int("unit_price")) }, uniquingKeysWith: { a, _ in a })
        return try Self.customer(row, prices: prices)
    }

    /// Customer files oldest first after the cursor; target and partner customers are asked for apart.
    func customers(classification: String?, owner: String?, stage: String?, keyAccount: Bool?, after: Int64, limit: Int) throws -> [CustomerView] {
        try tx.query("""
            SELECT \(Self.customerColumns) FROM customers c
            WHERE ($1::text IS NULL OR classification = $1) AND ($2::text IS NULL OR owner = $2) AND ($3::text IS NULL OR stage = $3)
              AND ($4::boolean IS NULL OR key_account = $4) AND seq > $5 ORDER BY seq LIMIT $6
            """, [classification.map(PGValue.text) ?? .null, owner.map(PGValue.text) ?? .null, stage.map(PGValue.text) ?? .null,
                  keyAccount.map(PGValue.bool) ?? .null, .int(after), .int(Int64(limit))]).map { try Self.customer($0, prices: nil) }
    }

    private static func customer(_ row: PGRow, prices: [String: Int64]?) throws -> CustomerView {
        CustomerView(code: try row.string("code"), name: try row.string("name"), currency: try row.string("currency"),
                     allowsPriceOverride: try row.bool("allows_price_override"), contractPrices: prices, orders: try row.int("orders"),
                     taxId: try row.optionalString("tax_id"), city: try row.optionalString("city"), industry: try row.optionalString("industry"),
                     contacts: try row.json("contacts"), needs: try row.optionalString("needs"),
                     purchaseIntent: try row.optionalString("purchase_intent"), source: try row.optionalString("source"),
                     owner: try row.optionalString("owner"), classification: try row.string("classification"),
                     keyAccount: try row.bool("key_account"), stage: try row.string("stage"),
                     lastActivityAt: try row.timestamp("last_activity_at"), seq: try row.int("seq"))
    }

    /// How many orders are in each status, and how many of them have not moved for `stuckAfter`
    /// seconds: what the order-flow gauges and the stuck-order alert read.
    func orderCounts(stuckAfter: Int) throws -> [(status: String, orders: Int64, stuck: Int64)] {
        try tx.query("""
            SELECT status, count(*) AS orders, count(*) FILTER (WHERE updated_at < now() - make_interval(secs => $1)) AS stuck
            FROM orders GROUP BY status
            """, [.int(Int64(stuckAfter))]).map { (try $0.string("status"), try $0.int("orders"), try $0.int("stuck")) }
    }

    func products(after: String, limit: Int) throws -> [ProductView] {
        let products = try tx.query("SELECT sku, name FROM products WHERE sku > $1 ORDER BY sku LIMIT $2", [.text(after), .int(Int64(limit))])
        let skus = try products.map { try $0.string("sku") }
        var tiers: [String: [ProductView.Tier]] = [:]
        for t in try tx.query("SELECT sku, currency, min_quantity, unit_price FROM price_tiers WHERE sku = ANY($1::text[]) ORDER BY sku, currency, min_quantity",
                              [.textArray(skus)]) {
            tiers[try t.string("sku"), default: []].append(.init(currency: try t.string("currency"), minQuantity: try t.int("min_quantity"),
                                                                unitPrice: try t.int("unit_price")))
        }
        return try products.map { ProductView(sku: try $0.string("sku"), name: try $0.string("name"), tiers: tiers[try $0.string("sku")] ?? []) }
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
