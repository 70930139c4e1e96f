import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The books: the journal and the trial balance.
struct LedgerRoutes: Sendable {
    let env: ServiceEnvironment

    func add(to router: Routes) {
        router.get("/journal", allow: .readers) { request, _ -> Page<JournalEntryView> in
            let (limit, after) = try PageRequest.numbered(request, max: FinanceAPI.maxLimit)
            let reference = request.uri.queryParameters.get("reference")
            let rows = try await env.read { try LedgerReads(tx: $0).journal(reference: reference, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.get("/trial-balance", allow: .readers) { _, _ -> TrialBalanceView in
            try await env.read { try LedgerReads(tx: $0).trialBalance() }
        }
    }
}

extension JournalEntryView: ResponseEncodable {}
extension TrialBalanceView: ResponseEncodable {}
