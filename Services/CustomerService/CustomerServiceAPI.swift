import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// What customer service's routes share: the longest page and the views answered as they are.
/// Each capability's routes are in its folder (`*/…Routes.swift`).
enum CustomerServiceAPI {
    static let maxLimit = 1000
}

extension ComplaintOpened: ResponseEncodable {}
