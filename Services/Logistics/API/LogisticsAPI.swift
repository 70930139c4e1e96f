import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The warehouse over HTTP: stock and its ledger, receipts, warehouses, shipments, returns.
/// Codable in and out; reads come typed from the Store; every list pages. One controller per
/// resource (`*Routes.swift` beside this file); here only what they share and the wiring.
enum LogisticsAPI {
    static let maxLimit = 1000

    static func add(_ router: Routes, _ env: ServiceEnvironment) {
        StockRoutes(env: env).add(to: router)
        WarehouseRoutes(env: env).add(to: router)
        OrderRoutes(env: env).add(to: router)
        ReturnRoutes(env: env).add(to: router)
        ContractRoutes(env: env).add(to: router)
    }
}

extension StockView: ResponseEncodable {}
extension MovementView: ResponseEncodable {}
extension WarehouseView: ResponseEncodable {}
extension WarehouseOrderView: ResponseEncodable {}
extension ReturnView: ResponseEncodable {}
extension ShipmentDispatched: ResponseEncodable {}
extension ShipmentDelivered: ResponseEncodable {}
extension ReturnReceived: ResponseEncodable {}
