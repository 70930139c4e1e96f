import Contracts
import CustomerServiceDomain
import Foundation
import Messaging
import ServiceKit
import Storage

/// Complaints from the first contact to the result.
/// Each handler loads through the store, decides in the domain, saves, publishes.
enum Cases {
    /// Accepted at once, with a committed deadline and the department it is routed to.
    static func open(_ complaint: OpenComplaint, openedAt: Date, _ work: UnitOfWork) throws -> ComplaintOpened {
        let store = CaseStore(tx: work.transaction)
        let customer = try store.customer(ofOrder: complaint.orderRef)
        let id = UUID(), number = try store.nextCaseNumber()
        let commitment = ComplaintPolicy.commitment(category: complaint.category)
        let deadline = ComplaintPolicy.deadline(category: complaint.category, openedAt: openedAt)
        try store.openCase(id, number: number, complaint, customer: customer, routedTo: commitment.routedTo, deadline: deadline,
                           correlationId: work.correlationId ?? complaint.orderRef, openedAt: openedAt)
        try store.log(id, "opened via \(complaint.channel), routed to \(commitment.routedTo), due \(deadline.formatted(.iso8601))")
        let event = ComplaintOpened(caseId: id, caseNumber: number, orderRef: complaint.orderRef, customerCode: customer,
                                    channel: complaint.channel, category: complaint.category, routedTo: commitment.routedTo,
                                    deadline: deadline)
        try work.publish(event, correlationId: complaint.orderRef)
        if customer == nil {
            work.logger.warning("complaint about an order customer service has not seen", metadata: ["order_ref": "\(complaint.orderRef)"])
        }
        work.logger.info("complaint opened", metadata: ["case": "\(number)", "routed_to": "\(commitment.routedTo)"])
        return event
    }

    /// What a resolution costs the company, in the order's minor units: the goods that come back
    /// or are replaced (all of the order's when a replacement names no lines), or the goodwill paid.
    static func cost(of asked: CustomerServiceApprovals.Resolution, _ work: UnitOfWork) throws -> Int64 {
        guard let record = try CaseStore(tx: work.transaction).lockCase(asked.number) else { throw Refusal(.notFound, "no case \(asked.number)") }
        let prices = Dictionary((record.orderLines ?? []).map { ($0.sku, $0.unitPrice) }, uniquingKeysWith: { a, _ in a })
        func value(_ lines: [ItemQuantity]) -> Int64 { lines.reduce(0) { $0 + (prices[$1.sku] ?? 0) * $1.quantity } }
        switch asked.resolution {
        case "return": return value(asked.lines)
        case "replacement":
            guard !asked.lines.isEmpty else { return (record.orderLines ?? []).reduce(0) { $0 + $1.lineTotal } }
            // Priced from the order: a line it does not have (or more than it had) is refused, not priced at 0.
            let ordered = Dictionary((record.orderLines ?? []).map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
            if let problem = ComplaintPolicy.returnProblem(requested: asked.lines.map { ($0.sku, $0.quantity) }, ordered: ordered) {
                throw Refusal(.invalidReturn, problem.replacingOccurrences(of: "return", with: "replacement"))
            }
            return value(asked.lines)
        case "goodwill": return asked.compensation ?? 0
        default: return 0
        }
    }

    /// The note kept with a resolution, and the compensation paid when there is one.
    static func note(_ note: String?, compensation: Int64?) -> String? {
        guard let compensation, compensation > 0 else { return note }
        return [note, "compensation \(compensation)"].compactMap { $0 }.joined(separator: "; ")
    }

    /// A person resolves the case. A return authorises the goods back; the case closes when
    /// finance's credit note for them arrives. Other results close it at once.
    static func resolve(_ number: String, resolution: String, note: String?, lines: [ItemQuantity], _ work: UnitOfWork) throws -> String {
        let store = CaseStore(tx: work.transaction)
        guard let record = try store.lockCase(number) else { throw Refusal(.notFound, "no case \(number)") }
        guard let next = record.status.after(.resolve(isReturn: resolution == "return")) else {
            throw Refusal(.notOpen, "case \(number) is \(record.status.rawValue)")
        }
        work.correlate(with: record.orderRef)
        guard next == .returnAuthorised else {
            try store.resolve(record.id, resolution: resolution, note: note)
            try store.log(record.id, "resolved: \(resolution)" + (note.map { " (\($0))" } ?? ""))
            try work.publish(ComplaintResolved(caseId: record.id, caseNumber: number, orderRef: record.orderRef, resolution: resolution, note: note))
            return next.rawValue
        }
        guard let customer = record.customer, let sold = record.orderLines, record.delivered else {
            throw Refusal(.notDelivered, "order \(record.orderRef) has not been delivered: nothing to return")
        }
        try store.lockOrder(record.orderRef)
        var left = Dictionary(sold.map { ($0.sku, $0.quantity) }, uniquingKeysWith: +)
        for line in try store.returnedBefore(record.orderRef) { left[line.sku, default: 0] -= line.quantity }
        if let problem = ComplaintPolicy.returnProblem(requested: lines.map { ($0.sku, $0.quantity) }, ordered: left) {
            throw Refusal(.invalidReturn, problem)
        }
        let returnId = UUID()
        try store.authoriseReturn(record.id, returnId: returnId, lines: lines, note: note)
        try store.log(record.id, "return authorised: " + lines.map { "\($0.quantity) × \($0.sku)" }.joined(separator: ", "))
        try work.publish(ReturnAuthorised(returnId: returnId, caseId: record.id, orderRef: record.orderRef, customerCode: customer, lines: lines))
        return next.rawValue
    }

    /// Finance's credit note for a return closes the case.
    static func creditNoteIssued(_ event: CreditNoteIssued, _ work: UnitOfWork) throws {
        guard let caseId = event.caseId else { return }
        let store = CaseStore(tx: work.transaction)
        guard let number = try store.closeCredited(caseId, note: "credit note \(event.creditNoteNumber) for \(event.amount) \(event.currency)")
        else { return }
        try store.log(caseId, "credit note \(event.creditNoteNumber) issued for \(event.amount) \(event.currency)")
        try work.publish(ComplaintResolved(caseId: caseId, caseNumber: number, orderRef: event.orderRef, resolution: "return",
                                           note: "credit note \(event.creditNoteNumber)"))
    }

    /// Cases still open after their committed deadline are escalated, once each.
    static func escalate(asOf: Date, _ work: UnitOfWork) throws -> [ComplaintEscalated] {
        let store = CaseStore(tx: work.transaction)
        let found = try store.markEscalated(asOf: asOf)
        for (event, correlation) in found {
            try store.log(event.caseId, "escalated: deadline passed \(event.hoursLate) h ago, still with \(event.routedTo)")
            try work.publish(event, correlationId: correlation)
        }
        if !found.isEmpty { work.logger.warning("complaints past their deadline escalated", metadata: ["count": "\(found.count)"]) }
        return found.map(\.event)
    }

    /// Resolves a case now when its cost is within the person's limit; else an approval request waits.
    enum Resolving: Sendable { case resolved(String), pending(ApprovalRecord) }

    static func resolve(_ asked: CustomerServiceApprovals.Resolution, _ work: UnitOfWork) throws -> Resolving {
        let charge = try cost(of: asked, work)
        if charge > 0, case .pending(let request) = try CustomerServiceApprovals.book.authorise(
            CustomerServiceApprovals.resolutionCost, subject: asked.number, amount: charge, payload: asked,
            summary: "resolve case \(asked.number) by \(asked.resolution) at a cost of \(charge)", work) {
            return .pending(request)
        }
        return .resolved(try resolve(asked.number, resolution: asked.resolution,
                                     note: note(asked.note, compensation: asked.compensation), lines: asked.lines, work))
    }
}
