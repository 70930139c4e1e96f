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
        if case .pending(let request) = try discountAuthorisation(order, answering: nil, work) { return .pending(request) }
        try place(order, typedPricesAuthorised: true, work)
        return .allowed
    }

    /// `order.place` from an outside system: a typed price is honoured only where the customer's
    /// contract allows overrides, and below the line's price it waits for a person's approval.
    static func place(_ order: PlaceOrder, _ work: UnitOfWork) throws {
        if case .pending(let request) = try discountAuthorisation(order, answering: work.cause, work) {
            try work.reply(CommandOutcome(outcome: .pending, reasonCode: .approvalPending,
                                          message: "a price \(Double(request.amount) / 100) % below the list waits for \(request.approverRole) (approval request \(request.id))",
                                          command: work.cause.routingKey ?? PlaceOrder.routingKey, messageId: work.cause.id))
            return
        }
        try place(order, typedPricesAuthorised: false, work)
    }

    /// The discount a typed price gives, checked against the actor's limit (none for a system,
    /// nor for a customer whose contract refuses overrides from systems: pricing rejects those).
    static func discountAuthorisation(_ order: PlaceOrder, answering: Cause?, _ work: UnitOfWork) throws -> ApprovalBook.Authorisation {
        let store = SalesStore(tx: work.transaction)
        guard let customer = try store.customerTerms(order.customerCode), answering == nil || customer.allowsPriceOverride,
              try !store.hasLiveOrder(order.orderRef) else { return .allowed }
        let priceList = try store.priceList(skus: order.lines.map(\.sku), currency: customer.currency)
        let discount = OrderPricing.discount(order, customer: customer, priceList: priceList)
        guard discount > 0 else { return .allowed }
        work.correlate(with: work.cause.correlationId ?? order.orderRef)
        return try Sales.approvals.authorise(
            SalesApprovals.discount, subject: order.orderRef, amount: discount, payload: SalesApprovals.Discounted(order: order, answer: answering),
            summary: "order \(order.orderRef) for \(order.customerCode) at up to \(Double(discount) / 100) % below its price", sameAs: order, work)
    }

    /// A discounted order whose approval was rejected: recorded and announced as rejected, and its sender told.
    static func rejectDiscount(_ order: PlaceOrder, reason: String, answering: Cause?, _ work: UnitOfWork) throws {
        let store = SalesStore(tx: work.transaction)
        work.correlate(with: answering?.correlationId ?? order.orderRef)
        let orderId = UUID()
        try store.addRejected(orderId, order, reason: .discountRejected)
        try store.addHistory(orderId, .rejected, event: OrderRejected.messageType, detail: "discount-rejected: \(reason)", messageId: work.cause.uuid)
        let event = OrderRejected(orderRef: order.orderRef, customerCode: order.customerCode, reasonCode: .discountRejected,
                                  message: "the discount was not approved: \(reason)")
        try work.publish(event)
        if let answering { try work.reply(event, to: answering) }
    }

    static func place(_ order: PlaceOrder, typedPricesAuthorised: Bool, answering: Cause? = nil, _ work: UnitOfWork) throws {
        /// The sender's answer: to the command that asked, also when it waited for an approval.
        func answer<T: MessageContract>(_ event: T) throws {
            if let answering { try work.reply(event, to: answering) } else { try work.reply(event) }
        }
        let store = SalesStore(tx: work.transaction)
        // Without a correlation id from the sender, the order reference ties the flow together.
        work.correlate(with: answering?.correlationId ?? work.cause.correlationId ?? order.orderRef)
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
            try answer(event)
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
            try answer(event)
            work.logger.notice("order rejected", metadata: ["order_ref": "\(order.orderRef)", "reason": "\(rejection.code)"])
        }
    }
}
