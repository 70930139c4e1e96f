import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Signed contracts' payment terms as finance keeps them, and the reviews it gave.
struct ContractRoutes: Sendable {
    let env: ServiceEnvironment

    func add(to router: Routes) {
        router.get("/contracts/:contractNo", allow: .readers) { _, context -> SignedContractView in
            let contractNo = try context.parameters.require("contractNo")
            let kept = try await env.read { try ContractTermsStore(tx: $0).contract(contractNo) }
            guard let kept else { throw APIError.notFound("no signed contract \(contractNo)") }
            return kept
        }
        ContractReviewAnswer.addRoutes(to: router, env)
    }
}

extension SignedContractView: ResponseEncodable {}
