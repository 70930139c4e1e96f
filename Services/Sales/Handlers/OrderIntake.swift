import Contracts
import Foundation
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// `order.place`: validate against the customer file and the price list, price it, and
/// record it as placed, or record and announce why it was rejected. Either way the sender's
/// `reply_to` gets the outcome.
enum OrderIntake {
    /// An order a salesperson enters by hand (`POST /orders`): a price typed below the price it
    /// would have is a discount, within the person's limit or else an approval request; the
    /// order is placed only once approved.
    static func enter(_ order: PlaceOrder, _ work: UnitOfWork) throws -> ApprovalBook.Authorisation {
        let store = SalesStore(tx: work.transaction)
        if let customer = try store.customerTerms(order.customerCode) {
            let priceList = try store.priceList(skus: order.lines.map(\.sku), currency: customer.currency)
            let discount = OrderPricing.discount(order, customer: customer, priceList: priceList)
            if discount > 0 {
                let authorisation = try Sales.approvals.authorise(
                    SalesApprovals.discount, subject: order.orderRef, amount: discount, payload: order,
                    summary: "order \(order.orderRef) for \(order.customerCode) at up to \(Double(discount) / 100) % below its price", work)
                guard case .allowed = authorisation else { return authorisation }
            }
        }
        try place(order, typedPricesAuthorised: true, work)
        return .allowed
    }

    static func place(_ order: PlaceOrder, _ work: UnitOfWork) throws { try place(order, typedPricesAuthorised: false, work) }

    static func place(_ order: PlaceOrder, typedPricesAuthorised: Bool, _ work: UnitOfWork) throws {
        let store = SalesStore(tx: work.transaction)
        // Without a correlation id from the sender, the order reference ties the flow together.
        work.correlate(with: work.cause.correlationId ?? order.orderRef)
        let outcome: Result<[OrderPlaced.Line], OrderRejection>
        var currency = order.currency
        if try store.hasLiveOrder(order.orderRef) {
            outcome = .failure(OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"))
        } else {
            let customer = try store.customerTerms(order.customerCode)
            currency = customer?.currency ?? currency
            let priceList = try store.priceList(skus: order.lines.map(\.sku), currency: customer?.currency ?? "")
            outcome = OrderPricing.price(order, customer: customer, priceList: priceList, typedPricesAuthorised: typedPricesAuthorised)
        }
        let orderId = UUID()
        switch outcome {
        case .success(let lines):
            let total = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
            guard try store.addPlaced(orderId, order, currency: currency ?? "", total: total, lines: lines,
                                      correlationId: work.correlationId ?? order.orderRef) else {
                return try reject(OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"))
            }
            try store.addHistory(orderId, .placed, event: OrderPlaced.messageType, detail: "total \(total) \(currency ?? "")",
                                 messageId: work.cause.uuid)
            let event = OrderPlaced(orderId: orderId, orderRef: order.orderRef, customerCode: order.customerCode,
                                    currency: currency ?? "", lines: lines, total: total, requestedDeliveryDate: order.requestedDeliveryDate)
            try work.publish(event)
            try work.reply(event)
            work.logger.info("order placed", metadata: ["order_ref": "\(order.orderRef)", "total": "\(total)"])
        case .failure(let rejection):
            try reject(rejection)
        }

        func reject(_ rejection: OrderRejection) throws {
            try store.addRejected(orderId, order, reason: rejection.code)
            try store.addHistory(orderId, .rejected, event: OrderRejected.messageType, detail: "\(rejection.code): \(rejection.message)",
                                 messageId: work.cause.uuid)
            let event = OrderRejected(orderRef: order.orderRef, customerCode: order.customerCode,
                                      reasonCode: rejection.code, message: rejection.message)
            try work.publish(event)
            try work.reply(event)
            work.logger.notice("order rejected", metadata: ["order_ref": "\(order.orderRef)", "reason": "\(rejection.code)"])
        }
    }
}
