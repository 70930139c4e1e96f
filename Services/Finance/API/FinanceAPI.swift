import Contracts
import FinanceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Finance over HTTP: invoices, customer accounts and terms, payments, collections, the books.
/// Codable in and out; reads come typed from the Store; every list pages.
enum FinanceAPI {
    static let maxLimit = 1000

    struct Terms: Decodable, Sendable {
        let kind: String, depositPercent: Int64?, netDays: Int?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind)
            depositPercent = try c.decodeIfPresent(Int64.self, forKey: .depositPercent)
            netDays = try c.decodeIfPresent(Int.self, forKey: .netDays)
            try Validate.require((netDays ?? 0) >= 0, "netDays", "must not be negative")
        }
        enum CodingKeys: CodingKey { case kind, depositPercent, netDays }
    }
    struct Collections: Decodable, Sendable { let asOf: BusinessDate }
    struct TermsAnswer: ResponseEncodable, Sendable { let customerCode: String; let kind: String }
    struct Unchanged: ResponseEncodable, Sendable { let bankReference: String; let note: String }
    struct Overdue: ResponseEncodable, Sendable { let overdue: [InvoiceOverdue] }

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.get("/invoices") { request, _ -> Page<InvoiceView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
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
        router.get("/invoices/:number") { _, context -> InvoiceDetailView in
            let number = try context.parameters.require("number")
            guard let invoice = try await env.read({ try ReceivablesReads(tx: $0).invoice(number) }) else {
                throw APIError.notFound("no invoice \(number)")
            }
            return invoice
        }
        router.get("/customers/:code/account") { request, context -> AccountView in
            let code = try context.parameters.require("code")
            var asOf = BusinessDate(Date())
            if let text = request.uri.queryParameters.get("asOf") {
                guard let day = BusinessDate(text) else { throw APIError(.badRequest, "invalid-field", "asOf: must be a date YYYY-MM-DD") }
                asOf = day
            }
            let day = asOf
            guard let account = try await env.read({ try ReceivablesReads(tx: $0).account(code, asOf: day) }) else {
                throw APIError.notFound("finance has no account for customer \(code)")
            }
            return account
        }
        router.put("/customers/:code/terms") { request, context -> TermsAnswer in
            let code = try context.parameters.require("code")
            let body = try await request.decode(as: Terms.self, context: context)
            guard PaymentTerms(kind: body.kind, depositPercent: body.depositPercent ?? 0, netDays: body.netDays ?? 0) != nil else {
                throw APIError(.badRequest, "invalid-field",
                               "kind must be prepaid, deposit (depositPercent 1-99, netDays >= 0 for the rest) or net (netDays >= 0)")
            }
            try await env.perform("PUT /customers/{code}/terms") { work in
                try ReceivablesStore(tx: work.transaction).saveTerms(code, kind: body.kind, depositPercent: body.depositPercent ?? 0,
                                                                     netDays: body.netDays ?? 0)
            }
            return TermsAnswer(customerCode: code, kind: body.kind)
        }
        router.post("/payments") { request, context -> Response in
            let payment = try await request.decode(as: RecordPayment.self, context: context)
            let event = try await env.perform("POST /payments") { work in try Billing.record(payment, work) }
            guard let event else {
                return try Unchanged(bankReference: payment.bankReference, note: "recorded before; nothing changed")
                    .response(from: request, context: context)
            }
            var response = try event.response(from: request, context: context)
            response.status = .created
            return response
        }
        router.post("/collections/run") { request, context -> Overdue in
            let body = try await request.decode(as: Collections.self, context: context)
            return Overdue(overdue: try await env.perform("POST /collections/run") { work in try Billing.collections(asOf: body.asOf, work) })
        }
        router.get("/journal") { request, _ -> Page<JournalEntryView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let reference = request.uri.queryParameters.get("reference")
            let rows = try await env.read { try ReceivablesReads(tx: $0).journal(reference: reference, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.get("/trial-balance") { _, _ -> TrialBalanceView in
            try await env.read { try ReceivablesReads(tx: $0).trialBalance() }
        }
    }

}

extension InvoiceView: ResponseEncodable {}
extension InvoiceDetailView: ResponseEncodable {}
extension AccountView: ResponseEncodable {}
extension JournalEntryView: ResponseEncodable {}
extension TrialBalanceView: ResponseEncodable {}
extension PaymentReceived: ResponseEncodable {}
