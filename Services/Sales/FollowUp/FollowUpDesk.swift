import Contracts
import Foundation
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// The salesperson's follow-up on the clock: orders late against the day the customer asked for
/// are flagged to their salesperson, exceptions left open for `FollowUp.escalationHours` go to the
/// salesperson's manager too, and customers quiet for `CustomerLifecycle.quietDays` move a stage back.
enum FollowUpDesk {
    static let batch = 500

    struct Run: Sendable, Equatable, Codable { let late: [String]; let escalated: [Int64]; let quiet: [String] }

    static func run(asOf now: Date, _ work: UnitOfWork) throws -> Run {
        let store = FollowUpStore(tx: work.transaction), files = CustomerFileStore(tx: work.transaction)
        var late: [String] = []
        for order in try store.lateOrders(asOf: BusinessDate(now), limit: batch) {
            guard try store.raise(order.ref, customer: order.customer, owner: order.owner, .late,
                                  "not delivered by \(order.requested), the day the customer asked for", at: now) else { continue }
            try files.note(order.customer, "exception", reference: order.ref, "order \(order.ref) late: not delivered by \(order.requested)")
            late.append(order.ref)
        }
        var escalated: [Int64] = []
        for due in try store.dueForEscalation(before: now.addingTimeInterval(-TimeInterval(FollowUp.escalationHours * 3600)), limit: batch) {
            let manager = try due.owner.flatMap { try store.manager(of: $0) }
            try store.escalate(due.id, to: manager)
            work.logger.notice("order exception escalated", metadata: ["order_ref": "\(due.orderRef)", "kind": "\(due.kind)",
                                                                       "owner": "\(due.owner ?? "-")", "to": "\(manager ?? "-")"])
            escalated.append(due.id)
        }
        let quiet = try files.stepBackQuiet(now: now, limit: batch).map(\.code)
        for code in quiet { try CustomerFiles.changed(code, work) }
        work.logger.info("follow-up run", metadata: ["late": "\(late.count)", "escalated": "\(escalated.count)", "quiet": "\(quiet.count)"])
        return Run(late: late, escalated: escalated, quiet: quiet)
    }

    /// The salesperson an order belongs to: the customer's owner, else the salesperson who entered it.
    static func owner(of customer: String, enteredBy: String?, _ work: UnitOfWork) throws -> String? {
        if let owner = try CustomerFileStore(tx: work.transaction).owner(customer) { return owner }
        if let enteredBy { return enteredBy }
        return (work.cause.roles ?? []).contains { $0.hasPrefix("sales:") } ? work.cause.actor : nil
    }
}
