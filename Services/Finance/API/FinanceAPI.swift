import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Finance over HTTP: invoices, customer accounts and terms, payments, collections, the books.
/// Codable in and out; reads come typed from the Store; every list pages. One controller per
/// resource (`*Routes.swift` beside this file); here only what they share and the wiring.
enum FinanceAPI {
    static let maxLimit = 1000

    static func add(_ router: Routes, _ env: ServiceEnvironment) {
        InvoiceRoutes(env: env).add(to: router)
        CustomerRoutes(env: env).add(to: router)
        PaymentRoutes(env: env).add(to: router)
        CollectionRoutes(env: env).add(to: router)
        LedgerRoutes(env: env).add(to: router)
        ContractRoutes(env: env).add(to: router)
    }
}

extension InvoiceView: ResponseEncodable {}
extension InvoiceDetailView: ResponseEncodable {}
extension AccountView: ResponseEncodable {}
extension JournalEntryView: ResponseEncodable {}
extension TrialBalanceView: ResponseEncodable {}
extension PaymentReceived: ResponseEncodable {}
