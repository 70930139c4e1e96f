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

    /// An authorised decision: releasing a customer's hold, or releasing or rejecting an order.
    struct DecisionRequest: Decodable, Sendable { let authorisedBy: String; let note: String? }

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        CustomerRoutes(env: env).add(to: router)
        HoldRoutes(env: env).add(to: router)
        OrderRoutes(env: env).add(to: router)
    }
}

extension CreditFileView: ResponseEncodable {}
extension RiskOrderView: ResponseEncodable {}
extension CreditLogView: ResponseEncodable {}
