import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// The credit desk over HTTP: credit files, holds and their authorised release. Codable in
/// and out; the reads come typed from the Store; every list pages. One controller per
/// resource (`*Routes.swift` beside this file); here only what they share and the wiring.
enum RiskAPI {
    static let maxLimit = 500

    /// A release or a rejection: who decides is the signed-in person, never a name in the body.
    struct DecisionRequest: Decodable, Sendable {
        let note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            if let note { try Validate.notBlank(note, "note", max: 1000) }
        }
        enum CodingKeys: CodingKey { case note }
    }

    static func add(_ router: Routes, _ env: ServiceEnvironment) {
        CustomerRoutes(env: env).add(to: router)
        HoldRoutes(env: env).add(to: router)
        OrderRoutes(env: env).add(to: router)
        ContractReviewAnswer.addRoutes(to: router, env)
    }
}

extension CreditFileView: ResponseEncodable {}
extension RiskOrderView: ResponseEncodable {}
extension CreditLogView: ResponseEncodable {}
