import Contracts
import Foundation
import Messaging
import Storage
import Hummingbird

/// How finance, logistics and risk answer a contract draft sent for review: once per revision
/// (a redelivered or re-sent draft finds the answer already given and says nothing again), kept
/// in the department's own `contract_reviews` table, and published as its `<department>.contract.reviewed`.
public enum ContractReviewAnswer {
    /// Whether the department is asked to review this revision.
    public static func asked<E: ContractReviewedEvent>(_ type: E.Type, _ draft: ContractDrafted) -> Bool { draft.review.contains(E.department) }

    /// Gives the answer unless one was given to this revision already.
    public static func give<E: ContractReviewedEvent>(_ type: E.Type, to draft: ContractDrafted, approved: Bool, remarks: String,
                                                      _ work: UnitOfWork) throws {
        let outcome = approved ? "approved" : "rejected"
        let kept = try ContractReviewStore(tx: work.transaction).add(contractNo: draft.contractNo, revision: draft.revision,
                                                                     customerCode: draft.customerCode, outcome: outcome, remarks: remarks)
        guard kept else { return }
        try work.publish(E(contractNo: draft.contractNo, revision: draft.revision, outcome: outcome, remarks: remarks))
        work.logger.info("contract reviewed", metadata: ["contract": "\(draft.contractNo)", "revision": "\(draft.revision)",
                                                         "outcome": "\(outcome)", "remarks": "\(remarks)"])
    }
}

/// One answer a department gave to a contract draft.
public struct GivenContractReview: Codable, Sendable, Equatable, ResponseEncodable {
    public let revision: Int64
    public let customerCode: String
    public let outcome: String
    public let remarks: String
    public let reviewedAt: Date
}

public struct GivenContractReviews: Codable, Sendable, Equatable, ResponseEncodable {
    public let contractNo: String
    public let reviews: [GivenContractReview]
}

extension ContractReviewAnswer {
    /// `GET /contract-reviews/{contractNo}`: the answers the department gave, oldest first.
    public static func addRoutes(to router: Routes, _ env: ServiceEnvironment) {
        router.get("/contract-reviews/:contractNo", allow: .readers) { _, context -> GivenContractReviews in
            let contractNo = try context.parameters.require("contractNo")
            let reviews = try await env.read { try ContractReviewStore(tx: $0).reviews(of: contractNo) }
            guard !reviews.isEmpty else { throw APIError.notFound("no review of contract \(contractNo)") }
            return GivenContractReviews(contractNo: contractNo, reviews: reviews)
        }
    }
}
