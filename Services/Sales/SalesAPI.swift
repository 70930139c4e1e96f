import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// What sales' routes share: the answer to saving master data, the longest page, and the views
/// answered as they are. Each capability's routes are in its folder (`*/…Routes.swift`).
enum SalesAPI {
    /// The answer to saving a customer or a product.
    struct Saved: ResponseEncodable, Sendable { let code: String?; let sku: String?; let name: String }
    static let maxLimit = 500
}

extension OrderCancelled: ResponseEncodable {}
