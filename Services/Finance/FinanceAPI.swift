import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// What finance's routes share: the longest page and the views answered as they are. Each
/// capability's routes are in its folder (`*/…Routes.swift`); every list pages.
enum FinanceAPI {
    static let maxLimit = 1000
}

extension PaymentReceived: ResponseEncodable {}
