import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Invoices: the list, and one with its detail.
struct InvoiceRoutes: Sendable {
    let env: ServiceEnvironment

    func add(to router: Routes) {
        let group = router.group("/invoices")
        group.get(allow: .readers) { request, _ -> Page<InvoiceView> in
            let (limit, after) = try PageRequest.numbered(request, max: FinanceAPI.maxLimit)
            let query = request.uri.queryParameters
            let customer = query.get("customer"), order = query.get("order"), status = query.get("status")
            if let status, !["open", "paid", "void"].contains(status) {
                throw APIError(.badRequest, "invalid-field", "status: must be one of open, paid, void")
            }
            let rows = try await env.read {
                try ReceivablesReads(tx: $0).invoices(customer: customer, order: order, status: status, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get(":number", allow: .readers) { _, context -> InvoiceDetailView in
            let number = try context.parameters.require("number")
            guard let invoice = try await env.read({ try ReceivablesReads(tx: $0).invoice(number) }) else {
                throw APIError.notFound("no invoice \(number)")
            }
            return invoice
        }
    }
}

extension InvoiceView: ResponseEncodable {}
extension InvoiceDetailView: ResponseEncodable {}
