import Contracts
import Foundation
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// Risk's work on the order path: checks each placed order, keeps exposure current from
/// finance's events, lowers ratings on overdue invoices, and lets authorised people release
/// holds. Each handler loads through the store, decides in the domain, saves, publishes.
enum CreditDesk {
    static func check(_ order: OrderPlaced, _ work: UnitOfWork) throws {
        let store = CreditStore(tx: work.transaction)
        guard try store.takeIn(order, correlationId: work.correlationId ?? order.orderRef) else {
            work.logger.info("order already checked", metadata: ["order_ref": "\(order.orderRef)"])
            return
        }
        try store.lockCustomer(order.customerCode)
        let profile = try store.profile(order.customerCode)
        let exposure = try store.exposure(of: order.customerCode, excluding: order.orderRef)
        let outcome = CreditPolicy.decide(profile: profile, exposure: exposure, orderTotal: order.total)
        try decide(RiskOrder(ref: order.orderRef, customer: order.customerCode, total: order.total, status: .held,
                             correlationId: work.correlationId),
                   .checked(outcome), exposure: exposure + order.total, profile: profile, by: nil, store, work)
    }

    /// Moves the order by `event` (the domain says whether it may), saves the decision, logs it
    /// in the credit file and announces it.
    static func decide(_ order: RiskOrder, _ event: RiskOrderStatus.Event, exposure: Int64, profile: CreditProfile?,
                       by person: String?, note: String? = nil, _ store: CreditStore, _ work: UnitOfWork) throws {
        let status: RiskOrderStatus
        do { status = try order.status.after(event) } catch {
            throw Refusal(.notHeld, "order \(order.ref) is \(order.status.rawValue), not held")
        }
        let (code, message): (ReasonCode?, String?) = switch event {
        case .checked(.hold(let c, let m)), .checked(.reject(let c, let m)): (c, m)
        case .reviewed(release: false): (.creditReviewRejected, note ?? "rejected on review by \(person ?? "-")")
        default: (nil, nil)
        }
        try store.saveDecision(order.ref, status, reason: code, by: person)
        try store.log(order.customer, order: order.ref, status.rawValue, message ?? "within limit", exposure: exposure, by: person)
        let decision = CreditDecision(orderRef: order.ref, customerCode: order.customer, exposure: exposure,
                                      creditLimit: profile?.creditLimit ?? 0, rating: profile?.rating.rawValue ?? "-",
                                      reasonCode: code, message: message, decidedBy: person)
        switch status {
        case .approved: try work.publish(CreditApproved(decision))
        case .held: try work.publish(CreditHeld(decision))
        case .rejected: try work.publish(CreditRejected(decision))
        case .cancelled: break
        }
        work.logger.info("credit \(status.rawValue)", metadata: ["order_ref": "\(order.ref)", "reason": "\(code?.rawValue ?? "-")",
                                                               "exposure": "\(exposure)"])
    }

    /// Someone of risk asks to release a held order: within their limit for its total it goes
    /// on now; beyond it, an approval request waits for the level whose limit covers it.
    static func requestRelease(_ orderRef: String, note: String?, _ work: UnitOfWork) throws -> ApprovalBook.Authorisation {
        let store = CreditStore(tx: work.transaction)
        guard let order = try store.lockOrder(orderRef) else { throw Refusal(.notFound, "risk has no order \(orderRef)") }
        guard order.status == .held else { throw Refusal(.notHeld, "order \(orderRef) is \(order.status.rawValue), not held") }
        let authorisation = try RiskApprovals.book.authorise(
            RiskApprovals.releaseOrder, subject: orderRef, amount: order.total, payload: RiskApprovals.Release(ref: orderRef, note: note),
            summary: "release held order \(orderRef) of customer \(order.customer) (total \(order.total))", work)
        if case .allowed = authorisation { try review(orderRef, release: true, by: work.cause.actor ?? "-", note: note, work) }
        return authorisation
    }

    /// A held order decided: released (it goes on) or rejected, by the person named.
    static func review(_ orderRef: String, release: Bool, by person: String, note: String?, _ work: UnitOfWork) throws {
        let store = CreditStore(tx: work.transaction)
        guard let order = try store.lockOrder(orderRef) else { throw Refusal(.notFound, "risk has no order \(orderRef)") }
        try store.lockCustomer(order.customer)
        work.correlate(with: order.correlationId)
        if !release { try RiskApprovals.book.supersedeOpen(RiskApprovals.releaseOrder, subject: orderRef, because: "the order was rejected", work) }
        let exposure = try store.exposure(of: order.customer, excluding: orderRef) + order.total
        try decide(order, .reviewed(release: release), exposure: exposure, profile: try store.profile(order.customer), by: person,
                   note: note, store, work)
    }

    static func cancelled(_ event: OrderCancelled, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).cancel(event.orderRef, customer: event.customerCode)
    }

    // MARK: receivables

    static func invoiceIssued(_ event: InvoiceIssued, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).invoiceIssued(event.invoiceNumber, order: event.orderRef, customer: event.customerCode,
                                                           amount: event.amount)
    }

    static func paymentReceived(_ event: PaymentReceived, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).apply(event.allocations)
    }

    static func creditApplied(_ event: CreditApplied, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).apply(event.allocations)
    }

    static func creditNoteIssued(_ event: CreditNoteIssued, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).apply(event.allocations)
    }

    static func invoiceVoided(_ event: InvoiceVoided, _ work: UnitOfWork) throws {
        try CreditStore(tx: work.transaction).apply([Allocation(invoiceNumber: event.invoiceNumber, amount: event.amount, outstanding: 0)])
    }

    /// An overdue invoice lowers the rating one step (once per invoice) and puts the customer on hold.
    static func invoiceOverdue(_ event: InvoiceOverdue, _ work: UnitOfWork) throws {
        let store = CreditStore(tx: work.transaction)
        guard try store.markOverdue(event.invoiceNumber, order: event.orderRef, customer: event.customerCode,
                                    outstanding: event.outstanding) else { return }
        guard let profile = try store.profile(event.customerCode, lock: true) else {
            work.logger.warning("overdue invoice for a customer without a credit profile", metadata: ["customer": "\(event.customerCode)"])
            return
        }
        let reason = "invoice \(event.invoiceNumber) overdue \(event.daysOverdue) days (\(event.outstanding) outstanding)"
        let rating = profile.rating.lowered
        try store.putOnHold(event.customerCode, rating: rating, reason: reason)
        // A raised limit asked before this cannot be approved against a profile that no longer is.
        try RiskApprovals.book.supersedeOpen(RiskApprovals.creditLimit, subject: event.customerCode, because: reason, work)
        try store.log(event.customerCode, order: event.orderRef, "rating \(profile.rating.rawValue)→\(rating.rawValue), on hold", reason,
                      exposure: nil, by: nil)
        try work.publish(CustomerRatingChanged(customerCode: event.customerCode, previousRating: profile.rating.rawValue,
                                               rating: rating.rawValue, onHold: true, reason: reason))
        work.logger.notice("customer put on credit hold", metadata: ["customer": "\(event.customerCode)", "rating": "\(rating.rawValue)"])
    }

    /// Someone of risk asks to lift a customer's hold: the amount at stake is the customer's
    /// exposure; beyond their limit for it, an approval request waits.
    static func requestCustomerRelease(_ customer: String, note: String?, _ work: UnitOfWork) throws -> ApprovalBook.Authorisation {
        let store = CreditStore(tx: work.transaction)
        guard let profile = try store.profile(customer, lock: true) else { throw Refusal(.notFound, "no credit profile for \(customer)") }
        guard profile.onHold else { throw Refusal(.notHeld, "customer \(customer) is not on hold") }
        let exposure = try store.exposure(of: customer)
        let authorisation = try RiskApprovals.book.authorise(
            RiskApprovals.releaseCustomer, subject: customer, amount: exposure, payload: RiskApprovals.Release(ref: customer, note: note),
            summary: "lift the credit hold of customer \(customer) (exposure \(exposure))", work)
        if case .allowed = authorisation { try releaseCustomer(customer, by: work.cause.actor ?? "-", note: note, work) }
        return authorisation
    }

    /// A customer's hold lifted by the person named (the rating stays as it is).
    static func releaseCustomer(_ customer: String, by person: String, note: String?, _ work: UnitOfWork) throws {
        let store = CreditStore(tx: work.transaction)
        guard let profile = try store.profile(customer, lock: true) else { throw Refusal(.notFound, "no credit profile for \(customer)") }
        guard profile.onHold else { throw Refusal(.notHeld, "customer \(customer) is not on hold") }
        try store.releaseHold(customer)
        try store.log(customer, order: nil, "hold released", note ?? "released", exposure: nil, by: person)
        try work.publish(CustomerRatingChanged(customerCode: customer, previousRating: profile.rating.rawValue,
                                               rating: profile.rating.rawValue, onHold: false, reason: "released by \(person)"))
    }

    /// A person asks for a customer's credit limit and rating: at once when it only takes risk
    /// away (a limit no higher, in the same currency, a rating no better), or within their
    /// `credit.limit`; otherwise once approved. Any profile written ends a request still open
    /// for it, so an approval cannot later undo a newer change.
    static func requestProfile(_ customer: String, limit: Int64, currency: String, rating: Rating,
                               _ work: UnitOfWork) throws -> ApprovalBook.Authorisation {
        let store = CreditStore(tx: work.transaction)
        let current = try store.profile(customer, lock: true)
        let currentCurrency = try store.profileCurrency(customer)
        if let current, limit <= current.creditLimit, rating >= current.rating, currency == currentCurrency {
            try RiskApprovals.book.supersedeOpen(RiskApprovals.creditLimit, subject: customer, because: "the profile was set again", work)
            try setProfile(customer, limit: limit, currency: currency, rating: rating, work)
            return .allowed
        }
        let authorisation = try RiskApprovals.book.authorise(
            RiskApprovals.creditLimit, subject: customer, amount: limit,
            payload: RiskApprovals.Profile(creditLimit: limit, currency: currency, rating: rating.rawValue,
                                           fromLimit: current?.creditLimit, fromRating: current?.rating.rawValue, fromCurrency: currentCurrency),
            summary: "set customer \(customer)'s credit limit to \(limit) \(currency) (from \(current.map { String($0.creditLimit) } ?? "none"))", work)
        if case .allowed = authorisation { try setProfile(customer, limit: limit, currency: currency, rating: rating, work) }
        return authorisation
    }

    /// A customer's credit limit and rating set (by a person, or on an approval).
    static func setProfile(_ customer: String, limit: Int64, currency: String, rating: Rating, _ work: UnitOfWork) throws {
        let store = CreditStore(tx: work.transaction)
        try store.saveProfile(customer, limit: limit, currency: currency, rating: rating)
        try work.recordChange("credit-profile", customer, json: try store.profileSnapshot(customer))
        try store.log(customer, order: nil, "profile set", "limit \(limit) \(currency), rating \(rating.rawValue)", exposure: nil,
                      by: work.cause.actor)
    }
}
