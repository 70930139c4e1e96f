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
        let store = OrderStore(tx: work.transaction)
        guard let customer = try CustomerStore(tx: work.transaction).customerTerms(order.customerCode), answering == nil || customer.allowsPriceOverride,
              try !store.hasLiveOrder(order.orderRef) else { return .allowed }
        let priceList = try ProductStore(tx: work.transaction).priceList(skus: order.lines.map(\.sku), currency: customer.currency)
        let discount = OrderPricing.discount(order, customer: customer, priceList: priceList)
        guard discount > 0 else { return .allowed }
        work.correlate(with: work.cause.correlationId ?? order.orderRef)
        return try SalesApprovals.book.authorise(
            SalesApprovals.discount, subject: order.orderRef, amount: discount, payload: SalesApprovals.Discounted(order: order, answer: answering),
            summary: "order \(order.orderRef) for \(order.customerCode) at up to \(Double(discount) / 100) % below its price", sameAs: order, work)
    }

    /// A discounted order whose approval was rejected: recorded and announced as rejected, and its sender told.
    static func rejectDiscount(_ order: PlaceOrder, reason: String, answering: Cause?, _ work: UnitOfWork) throws {
        let store = OrderStore(tx: work.transaction)
        work.correlate(with: answering?.correlationId ?? order.orderRef)
        let orderId = UUID()
        try store.addRejected(orderId, order, reason: .discountRejected)
        try store.addHistory(orderId, .rejected, event: OrderRejected.messageType, detail: "discount-rejected: \(reason)", messageId: work.cause.uuid)
        let event = OrderRejected(orderRef: order.orderRef, customerCode: order.customerCode, reasonCode: .discountRejected,
                                  message: "the discount was not approved: \(reason)")
        try work.publish(event)
        if let answering { try work.reply(event, to: answering) }
    }

    /// `order.place.v2`: priced by sales alone, under a contract, from a quote, or from the list.
    static func place(_ order: PlaceOrderV2, _ work: UnitOfWork) throws {
        let store = OrderStore(tx: work.transaction), lines = order.lines.map { (sku: $0.sku, quantity: $0.quantity) }
        // Validity by sales' clock, not the sender's timestamp.
        let today = BusinessDate(Date())
        // A live order under the reference answers as v1 does, whatever priced it.
        if try store.hasLiveOrder(order.orderRef) {
            return try place(order.asV1(prices: [:]), typedPricesAuthorised: false, work)
        }
        var basis = OrderBasis.PricedBy.list
        var priced: Result<[String: Int64], OrderRejection> = .success([:])
        if let contractNo = order.contractNo {
            basis.contractNo = contractNo
            priced = OrderBasis.underContract(contractNo, lines: lines, customer: order.customerCode,
                                              contract: try store.lockContractForOrder(contractNo), used: try store.volumeUsed(contractNo), asOf: today)
        } else if let quoteNo = order.quoteNo {
            basis.quoteNo = quoteNo
            let quotes = QuoteStore(tx: work.transaction), quote = try quotes.lock(quoteNo)
            let accepted = try quote?.currentVersion.flatMap { try quotes.version(quoteNo, $0) }
            priced = OrderBasis.fromQuote(quoteNo, lines: lines, customer: order.customerCode, quoteCustomer: quote?.customer,
                                          status: quote?.status, accepted: accepted?.terms,
                                          contractNo: try ContractStore(tx: work.transaction).contractFor(quote: quoteNo), asOf: today)
        }
        switch priced {
        case .success(let prices):
            try place(order.asV1(prices: prices), typedPricesAuthorised: !prices.isEmpty, basis: basis, work)
        case .failure(let rejection):
            work.correlate(with: work.cause.correlationId ?? order.orderRef)
            try reject(order.asV1(prices: [:]), rejection, answering: nil, work)
        }
    }

    /// `enteredBy`: the salesperson who entered it, when an approval places it (the work's actor is then the approver).
    static func place(_ order: PlaceOrder, typedPricesAuthorised: Bool, answering: Cause? = nil, basis: OrderBasis.PricedBy = .list,
                      enteredBy: String? = nil, _ work: UnitOfWork) throws {
        /// The sender's answer: to the command that asked, also when it waited for an approval.
        func answer<T: MessageContract>(_ event: T) throws {
            if let answering { try work.reply(event, to: answering) } else { try work.reply(event) }
        }
        let store = OrderStore(tx: work.transaction)
        // Without a correlation id from the sender, the order reference ties the flow together.
        work.correlate(with: answering?.correlationId ?? work.cause.correlationId ?? order.orderRef)
        let outcome: Result<[OrderPlaced.Line], OrderRejection>
        var currency = order.currency
        if try store.hasLiveOrder(order.orderRef) {
            outcome = .failure(OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"))
        } else {
            let customer = try CustomerStore(tx: work.transaction).customerTerms(order.customerCode)
            currency = customer?.currency ?? currency
            let priceList = try ProductStore(tx: work.transaction).priceList(skus: order.lines.map(\.sku), currency: customer?.currency ?? "")
            outcome = OrderPricing.price(order, customer: customer, priceList: priceList, typedPricesAuthorised: typedPricesAuthorised)
        }
        let orderId = UUID()
        switch outcome {
        case .success(let lines):
            let total = lines.reduce(Int64(0)) { $0 + $1.lineTotal }
            let owner = try FollowUpDesk.owner(of: order.customerCode, enteredBy: enteredBy, work)
            guard try store.addPlaced(orderId, order, currency: currency ?? "", total: total, lines: lines,
                                      correlationId: work.correlationId ?? order.orderRef, basis: basis, owner: owner) else {
                return try reject(order, OrderRejection(code: .duplicateOrderRef, message: "order \(order.orderRef) was placed already"),
                                  answering: answering, work)
            }
            try store.addHistory(orderId, .placed, event: OrderPlaced.messageType, detail: "total \(total) \(currency ?? "")",
                                 messageId: work.cause.uuid)
            let event = OrderPlaced(orderId: orderId, orderRef: order.orderRef, customerCode: order.customerCode,
                                    currency: currency ?? "", lines: lines, total: total, requestedDeliveryDate: order.requestedDeliveryDate,
                                    contractNo: basis.contractNo)
            try work.publish(event)
            try answer(event)
            let live = try store.liveOrders(of: order.customerCode)
            if try CustomerFileStore(tx: work.transaction).record(order.customerCode, .order(liveOrders: live), kind: "order", reference: order.orderRef,
                                                                  "order \(order.orderRef) placed: \(total) \(currency ?? "")"
                                                                  + (basis.contractNo.map { " under contract \($0)" } ?? "")) {
                try CustomerFiles.changed(order.customerCode, work)
            }
            work.logger.info("order placed", metadata: ["order_ref": "\(order.orderRef)", "total": "\(total)"])
        case .failure(let rejection):
            try reject(order, rejection, answering: answering, work)
        }
    }

    /// An order sales does not take: recorded as rejected under its reference, announced, and its sender told why.
    static func reject(_ order: PlaceOrder, _ rejection: OrderRejection, answering: Cause?, _ work: UnitOfWork) throws {
        let store = OrderStore(tx: work.transaction), orderId = UUID()
        try store.addRejected(orderId, order, reason: rejection.code)
        try store.addHistory(orderId, .rejected, event: OrderRejected.messageType, detail: "\(rejection.code): \(rejection.message)",
                             messageId: work.cause.uuid)
        let event = OrderRejected(orderRef: order.orderRef, customerCode: order.customerCode,
                                  reasonCode: rejection.code, message: rejection.message)
        try work.publish(event)
        if let answering { try work.reply(event, to: answering) } else { try work.reply(event) }
        work.logger.notice("order rejected", metadata: ["order_ref": "\(order.orderRef)", "reason": "\(rejection.code)"])
    }
}
