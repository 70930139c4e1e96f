import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Signed contracts' payment terms as finance keeps them, and the reviews it gave.
struct ContractRoutes: Sendable {
    let env: ServiceEnvironment

    struct Kept: Codable, Sendable, ResponseEncodable {
        let contractNo: String, revision: Int64, customerCode: String, currency: String, value: Int64
        let paymentTerms: AgreedPaymentTerms, validFrom: String, validUntil: String, signedAt: Date
    }

    func add(to router: Router<ServiceRequestContext>) {
        router.get("/contracts/:contractNo") { _, context -> Kept in
            let contractNo = try context.parameters.require("contractNo")
            let kept = try await env.read { tx in
                try tx.query("""
                    SELECT revision, customer_code, currency, value, payment_terms::text AS payment_terms, valid_from, valid_until, signed_at
                    FROM contracts WHERE contract_no = $1
                    """, [.text(contractNo)]).first.map { row in
                    Kept(contractNo: contractNo, revision: try row.int("revision"), customerCode: try row.string("customer_code"),
                         currency: try row.string("currency"), value: try row.int("value"), paymentTerms: try row.json("payment_terms"),
                         validFrom: try row.date("valid_from"), validUntil: try row.date("valid_until"), signedAt: try row.timestamp("signed_at"))
                }
            }
            guard let kept else { throw APIError.notFound("no signed contract \(contractNo)") }
            return kept
        }
        ContractReviewAnswer.addRoutes(to: router, env)
    }
}
