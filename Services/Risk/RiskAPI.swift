import Contracts
import Foundation
import Hummingbird
import Messaging
import RiskDomain
import ServiceKit
import Storage

/// What risk's routes share: the longest page, the body of a decision, and the views answered
/// as they are. Each capability's routes are in its folder (`*/…Routes.swift`); every list pages.
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
}

