import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The service desk over HTTP: open and resolve complaints, see cases, do the revisits. One
/// controller per resource (`*Routes.swift` beside this file); here only what they share and the wiring.
enum CustomerServiceAPI {
    static let maxLimit = 1000

    static func add(_ router: Routes, _ env: ServiceEnvironment) {
        ComplaintRoutes(env: env).add(to: router)
        RevisitRoutes(env: env).add(to: router)
        CustomerRoutes(env: env).add(to: router)
    }
}

extension CaseView: ResponseEncodable {}
extension CaseDetailView: ResponseEncodable {}
extension RevisitView: ResponseEncodable {}
extension PurchaseView: ResponseEncodable {}
extension CustomerRecordView: ResponseEncodable {}
extension ComplaintOpened: ResponseEncodable {}
