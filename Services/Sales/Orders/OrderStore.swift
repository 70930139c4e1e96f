import Contracts
import Foundation
import Messaging
import SalesDomain
import Storage

/// An order as sales follows it.
struct TrackedOrder: Sendable {
    let id: UUID, ref: String, customer: String, status: OrderStatus, paid: Bool, currency: String, total: Int64
}

/// Every statement sales runs when it changes an order, behind typed methods, inside the
/// work's transaction.
struct OrderStore {
    let tx: Transaction

    /// The customer's orders that are neither rejected nor cancelled.
    func liveOrders(of customer: String) throws -> Int {
        Int(try tx.query("SELECT count(*)::bigint AS n FROM orders WHERE customer_code = $1 AND status NOT IN ('rejected', 'cancelled')",
                         [.text(customer)]).first!.int("n"))
    }

    func hasLiveOrder(_ ref: String) throws -> Bool {
        try !tx.query("SELECT id FROM orders WHERE order_ref = $1 AND status <> 'rejected'", [.text(ref)]).isEmpty
    }

    /// Two replicas may take the same new reference at once: the unique index decides, and the
    /// loser gets false here (after the winner commits) instead of an error.
    func addPlaced(_ id: UUID, _ order: PlaceOrder, currency: String, total: Int64, lines: [OrderPlaced.Line], correlationId: String,
                   basis: OrderBasis.PricedBy = .list, owner: String? = nil) throws -> Bool {
        try !tx.query("""
            INSERT INTO orders (id, order_ref, customer_code, status, currency, total, lines, delivery_address,
                                requested_delivery_date, correlation_id, contract_no, quote_no, owner)
            VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (order_ref) WHERE status <> 'rejected' DO NOTHING RETURNING id
            """, [.uuid(id), .text(order.orderRef), .text(order.customerCode), .text(currency), .int(total),
                  .json(String(decoding: try JSONEncoder.contracts.encode(lines), as: UTF8.self)),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.deliveryAddress), as: UTF8.self)),
                  .date(order.requestedDeliveryDate), .text(correlationId),
                  basis.contractNo.map(PGValue.text) ?? .null, basis.quoteNo.map(PGValue.text) ?? .null, owner.map(PGValue.text) ?? .null]).isEmpty
    }

    /// The contract an order is placed under, locked so two orders never share what is left of its volume.
    func lockContractForOrder(_ contractNo: String) throws -> OrderBasis.Contract? {
        guard let row = try tx.query("""
            SELECT c.customer_code, c.currency, c.status, r.terms::text AS terms FROM contracts c
            JOIN contract_revisions r ON r.contract_no = c.contract_no AND r.revision = c.revision
            WHERE c.contract_no = $1 FOR UPDATE OF c
            """, [.text(contractNo)]).first else { return nil }
        return OrderBasis.Contract(customer: try row.string("customer_code"), currency: try row.string("currency"),
                                   status: try row.code("status", as: ContractStatus.self), terms: try row.json("terms"))
    }

    /// What live orders under the contract took of each SKU's volume.
    func volumeUsed(_ contractNo: String) throws -> [String: Int64] {
        var used: [String: Int64] = [:]
        for row in try tx.query("""
            SELECT l->>'sku' AS sku, sum((l->>'quantity')::bigint)::bigint AS quantity FROM orders o, jsonb_array_elements(o.lines) l
            WHERE o.contract_no = $1 AND o.status NOT IN ('rejected', 'cancelled') GROUP BY 1
            """, [.text(contractNo)]) {
            used[try row.string("sku")] = try row.int("quantity")
        }
        return used
    }

    func addRejected(_ id: UUID, _ order: PlaceOrder, reason: ReasonCode) throws {
        try tx.execute("""
            INSERT INTO orders (id, order_ref, customer_code, status, lines, delivery_address, reason_code)
            VALUES ($1, $2, $3, 'rejected', $4, $5, $6)
            """, [.uuid(id), .text(order.orderRef), .text(order.customerCode),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.lines), as: UTF8.self)),
                  .json(String(decoding: try JSONEncoder.contracts.encode(order.deliveryAddress), as: UTF8.self)), .text(reason.rawValue)])
    }

    func addHistory(_ orderId: UUID, _ status: OrderStatus, event: String, detail: String, messageId: UUID?) throws {
        try tx.execute("INSERT INTO order_history (order_id, status, event, detail, message_id) VALUES ($1, $2, $3, $4, $5)",
                       [.uuid(orderId), .text(status.rawValue), .text(event), .text(detail), messageId.map(PGValue.uuid) ?? .null])
    }

    /// The order an event is about: the live one with that reference, else the newest; locked.
    func lockTracked(_ ref: String) throws -> TrackedOrder? {
        try tx.query("""
            SELECT id, customer_code, status, paid, COALESCE(currency, '') AS currency, COALESCE(total, 0) AS total
            FROM orders WHERE order_ref = $1 ORDER BY (status <> 'rejected') DESC, created_at DESC LIMIT 1 FOR UPDATE
            """, [.text(ref)]).first.map { row in
            TrackedOrder(id: try row.uuid("id"), ref: ref, customer: try row.string("customer_code"),
                         status: try row.code("status", as: OrderStatus.self), paid: try row.bool("paid"),
                         currency: try row.string("currency"), total: try row.int("total"))
        }
    }

    func setStatus(_ id: UUID, _ status: OrderStatus, reason: ReasonCode?) throws {
        try tx.execute("UPDATE orders SET status = $2, reason_code = COALESCE($3, reason_code), updated_at = now() WHERE id = $1",
                       [.uuid(id), .text(status.rawValue), reason.map { .text($0.rawValue) } ?? .null])
    }

    func owner(of id: UUID) throws -> String? {
        try tx.query("SELECT owner FROM orders WHERE id = $1", [.uuid(id)]).first.flatMap { try $0.optionalString("owner") }
    }

    func markPaid(_ id: UUID) throws {
        try tx.execute("UPDATE orders SET paid = true, updated_at = now() WHERE id = $1", [.uuid(id)])
    }

    /// What the acceptance announces beside the tracked fields.
    func acceptance(_ id: UUID) throws -> (lines: [OrderPlaced.Line], address: PlaceOrder.Address, requestedDeliveryDate: String, contractNo: String?) {
        let row = try tx.query("""
            SELECT lines::text AS lines, delivery_address::text AS address, requested_delivery_date, contract_no FROM orders WHERE id = $1
            """, [.uuid(id)]).first!
        return (try row.json("lines"), try row.json("address"), try row.date("requested_delivery_date"), try row.optionalString("contract_no"))
    }

    // MARK: a cancellation waiting for the warehouse

    /// Kept so the answer that comes once the warehouse released goes where this command's would.
    func keepWaitingCancel(_ id: UUID, reason: String, cause: Cause) throws {
        try tx.execute("UPDATE orders SET cancel_reason = $2, cancel_cause = $3 WHERE id = $1",
                       [.uuid(id), .text(reason), .json(String(decoding: try JSONEncoder.contracts.encode(cause), as: UTF8.self))])
    }

    func clearWaitingCancel(_ id: UUID) throws {
        try tx.execute("UPDATE orders SET cancel_reason = NULL, cancel_cause = NULL WHERE id = $1", [.uuid(id)])
    }

    /// The cancellation waiting for the warehouse, as it was asked; nil when none waits.
    func waitingCancel(_ id: UUID) throws -> (reason: String, cause: Cause)? {
        let row = try tx.query("SELECT cancel_reason, cancel_cause::text AS cancel_cause FROM orders WHERE id = $1", [.uuid(id)]).first!
        guard let reason = try row.optionalString("cancel_reason"), let cause = try row.optionalString("cancel_cause") else { return nil }
        return (reason, try JSONDecoder.contracts.decode(Cause.self, from: Data(cause.utf8)))
    }
}
