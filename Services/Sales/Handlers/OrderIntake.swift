import Contracts
import Foundation
import Messaging
import SalesDomain
import Storage

/// `order.place`: validate against the customer file and the price list, price it, and
/// record it as placed, or record and announce why it was rejected. Either way the sender's
/// `reply_to` gets the outcome.
enum OrderIntake {
    static func place(_ order: PlaceOrder, _ work: UnitOfWork) throws {
        let tx = work.transaction
        // Without a correlation id from the sender, the order reference ties the flow together.
        work.correlate(with: work.cause.correlationId ?? order.orderRef)
        let address = String(decoding: try JSONEncoder.contracts.encode(order.deliveryAddress), as: UTF8.self)
        let requested = try JSONEncoder.contracts.encode(order.lines)
        let live = try tx.query("SELECT id FROM orders WHERE order_ref = $1 AND status <> 'rejected'", [.text(order.orderRef)])
        let outcome: Result<[OrderPlaced.Line], OrderRejection>
        var currency = order.currency
        if !live.isEmpty {
            outcome = .failure(OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"))
        } else {
            let customer = try loadCustomer(order.customerCode, tx)
            currency = customer?.currency ?? currency
            let priceList = try loadPriceList(skus: order.lines.map(\.sku), currency: customer?.currency ?? "", tx)
            outcome = OrderPricing.price(order, customer: customer, priceList: priceList)
        }
        let orderId = UUID()
        if case .success(let lines) = outcome {
            let total = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
            // Two replicas may take the same new reference at once: the unique index decides, and
            // the loser sees the winner's row here (after it commits) instead of failing.
            let inserted = try tx.query("""
                INSERT INTO orders (id, order_ref, customer_code, status, currency, total, lines, delivery_address,
                                    requested_delivery_date, correlation_id)
                VALUES ($1, $2, $3, 'placed', $4, $5, $6, $7, $8, $9)
                ON CONFLICT (order_ref) WHERE status <> 'rejected' DO NOTHING RETURNING id
                """, [.uuid(orderId), .text(order.orderRef), .text(order.customerCode), .text(currency ?? ""), .int(total),
                      .json(String(decoding: try JSONEncoder.contracts.encode(lines), as: UTF8.self)), .json(address),
                      .date(order.requestedDeliveryDate), .text(work.correlationId ?? order.orderRef)])
            guard !inserted.isEmpty else {
                return try reject(OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"))
            }
            try history(orderId, "placed", OrderPlaced.messageType, "total \(total) \(currency ?? "")",
                        messageId: work.cause.uuid, tx)
            let event = OrderPlaced(orderId: orderId, orderRef: order.orderRef, customerCode: order.customerCode,
                                    currency: currency ?? "", lines: lines, total: total,
                                    requestedDeliveryDate: order.requestedDeliveryDate)
            try work.publish(event)
            try work.reply(event)
            work.logger.info("order placed", metadata: ["order_ref": "\(order.orderRef)", "total": "\(total)"])
        } else if case .failure(let rejection) = outcome {
            try reject(rejection)
        }

        func reject(_ rejection: OrderRejection) throws {
            try tx.execute("""
                INSERT INTO orders (id, order_ref, customer_code, status, lines, delivery_address, reason_code)
                VALUES ($1, $2, $3, 'rejected', $4, $5, $6)
                """, [.uuid(orderId), .text(order.orderRef), .text(order.customerCode),
                      .json(String(decoding: requested, as: UTF8.self)), .json(address), .text(rejection.code.rawValue)])
            try history(orderId, "rejected", OrderRejected.messageType, "\(rejection.code): \(rejection.message)",
                        messageId: work.cause.uuid, tx)
            let event = OrderRejected(orderRef: order.orderRef, customerCode: order.customerCode,
                                      reasonCode: rejection.code, message: rejection.message)
            try work.publish(event)
            try work.reply(event)
            work.logger.notice("order rejected", metadata: ["order_ref": "\(order.orderRef)", "reason": "\(rejection.code)"])
        }
    }

    static func history(_ orderId: UUID, _ status: String, _ event: String, _ detail: String, messageId: UUID?,
                        _ tx: Transaction) throws {
        try tx.execute(
            "INSERT INTO order_history (order_id, status, event, detail, message_id) VALUES ($1, $2, $3, $4, $5)",
            [.uuid(orderId), .text(status), .text(event), .text(detail), messageId.map(PGValue.uuid) ?? .null])
    }

    static func loadCustomer(_ code: String, _ tx: Transaction) throws -> CustomerTerms? {
        guard let row = try tx.query("SELECT code, currency, allows_price_override FROM customers WHERE code = $1",
                                     [.text(code)]).first else { return nil }
        var contract: [String: Int64] = [:]
        for price in try tx.query("SELECT sku, unit_price FROM contract_prices WHERE customer_code = $1", [.text(code)]) {
            contract[try price.string("sku")] = try price.int("unit_price")
        }
        return CustomerTerms(code: try row.string("code"), currency: try row.string("currency"),
                             allowsPriceOverride: try row.bool("allows_price_override"), contractPrices: contract)
    }

    static func loadPriceList(skus: [String], currency: String, _ tx: Transaction) throws -> [String: [PriceTier]] {
        var list: [String: [PriceTier]] = [:]
        for row in try tx.query("SELECT sku, min_quantity, unit_price FROM price_tiers WHERE sku = ANY($1::text[]) AND currency = $2",
                                [.textArray(skus), .text(currency)]) {
            list[try row.string("sku"), default: []].append(PriceTier(minQuantity: try row.int("min_quantity"),
                                                                      unitPrice: try row.int("unit_price")))
        }
        return list
    }
}
