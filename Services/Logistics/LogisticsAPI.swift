import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// What logistics' routes share: the longest page and the views answered as they are. Each
/// capability's routes are in its folder (`*/…Routes.swift`); every list pages.
enum LogisticsAPI {
    static let maxLimit = 1000
}

extension ShipmentDispatched: ResponseEncodable {}
extension ShipmentDelivered: ResponseEncodable {}
extension ReturnReceived: ResponseEncodable {}
