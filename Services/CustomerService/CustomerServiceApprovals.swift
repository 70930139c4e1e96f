import Contracts
import Foundation
import Messaging
import ServiceKit

/// What customer service puts under authority limits: a resolution that costs money (money in
/// minor units): a return (the value of the goods that come back), a replacement (the value of
/// the goods replaced) or goodwill (the compensation). An explanation costs nothing.
enum CustomerServiceApprovals {
    static let resolutionCost = "resolution.cost"

    /// A resolution as it was asked.
    struct Resolution: Codable, Sendable {
        let number: String, resolution: String, note: String?, lines: [ItemQuantity], compensation: Int64?
    }

    static let book = ApprovalBook(department: "customer-service", actions: [
        ApprovalAction(resolutionCost, "resolve a complaint at a cost", unit: .money,
                       defaults: [.staff: 100_000, .manager: 1_000_000, .director: 10_000_000]) { request, _, work in
            let asked = try request.decode(Resolution.self)
            _ = try Cases.resolve(asked.number, resolution: asked.resolution, note: Cases.note(asked.note, compensation: asked.compensation),
                                  lines: asked.lines, work)
        },
    ], requested: CustomerServiceApprovalRequested.self, decided: CustomerServiceApprovalDecided.self)

    /// Resolves a case now when its cost is within the person's limit; else an approval request waits.
    enum Outcome: Sendable { case resolved(String), pending(ApprovalRecord) }

    static func resolve(_ asked: Resolution, _ work: UnitOfWork) throws -> Outcome {
        let cost = try Cases.cost(of: asked, work)
        if cost > 0, case .pending(let request) = try book.authorise(
            resolutionCost, subject: asked.number, amount: cost, payload: asked,
            summary: "resolve case \(asked.number) by \(asked.resolution) at a cost of \(cost)", work) {
            return .pending(request)
        }
        return .resolved(try Cases.resolve(asked.number, resolution: asked.resolution,
                                           note: Cases.note(asked.note, compensation: asked.compensation), lines: asked.lines, work))
    }
}
