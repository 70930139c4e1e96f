import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import SalesDomain
import Storage

/// Sales over HTTP: orders with their whole history, cancelling, quotes and contracts, and the master data
/// (customers, products, price list, contract prices) a salesperson keeps. One controller per
/// resource (`*Routes.swift` beside this file); here only what they share and the wiring.
enum SalesAPI {
    /// The answer to saving a customer or a product.
    struct Saved: ResponseEncodable, Sendable { let code: String?; let sku: String?; let name: String }
    static let maxLimit = 500

    static func add(_ router: Routes, _ env: ServiceEnvironment) {
        OrderRoutes(env: env).add(to: router)
        CustomerRoutes(env: env).add(to: router)
        ProductRoutes(env: env).add(to: router)
        QuoteRoutes(env: env).add(to: router)
        ContractRoutes(env: env).add(to: router)
        FollowUpRoutes(env: env).add(to: router)
    }
}

extension SalesOrderView: ResponseEncodable {}
extension CustomerView: ResponseEncodable {}
extension ProductView: ResponseEncodable {}
extension OrderCancelled: ResponseEncodable {}
