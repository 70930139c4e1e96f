import Contracts
import Foundation
import Hummingbird
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// Quotes: the negotiation under one number, a version at a time; two versions compared; the
/// customer's acceptance; the expiry run as of a day.
struct QuoteRoutes: Sendable {
    let env: ServiceEnvironment

    /// A version as asked. The shape is checked here (400); what depends on the stage, the
    /// price list and the quote's state is checked by the chain's rules (422 or 409).
    struct Version: Decodable, Sendable {
        let customerCode: String, note: String?, terms: QuoteTerms
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            customerCode = try c.decode(String.self, forKey: .customerCode)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            terms = QuoteTerms(stage: try c.decode(QuoteStage.self, forKey: .stage), validUntil: try c.decode(String.self, forKey: .validUntil),
                               lines: try c.decode([QuoteLine].self, forKey: .lines),
                               serviceTerms: try c.decodeIfPresent(String.self, forKey: .serviceTerms),
                               paymentTerms: try c.decodeIfPresent(AgreedPaymentTerms.self, forKey: .paymentTerms))
            try Validate.notBlank(customerCode, "customerCode", max: 64)
            if let note { try Validate.notBlank(note, "note", max: 500) }
            if let service = terms.serviceTerms { try Validate.notBlank(service, "serviceTerms", max: 2000) }
            try Validate.date(terms.validUntil, "validUntil")
            try Validate.require((1...QuoteChain.maxLines).contains(terms.lines.count), "lines", "1 to \(QuoteChain.maxLines) lines")
            for (i, line) in terms.lines.enumerated() {
                try Validate.notBlank(line.sku, "lines[\(i)].sku", max: 64)
                if let band = line.priceBand { try Validate.require(band.low > 0 && band.high > 0, "lines[\(i)].priceBand", "prices must be positive") }
                if let tiers = line.tiers {
                    try Validate.require((1...QuoteChain.maxTiers).contains(tiers.count), "lines[\(i)].tiers", "1 to \(QuoteChain.maxTiers) tiers")
                    try Validate.require(tiers.allSatisfy { $0.minQuantity > 0 && $0.minQuantity <= OrderPricing.maxQuantity && $0.unitPrice > 0 },
                                         "lines[\(i)].tiers", "minQuantity 1 to \(OrderPricing.maxQuantity) and a positive unitPrice")
                }
                if let quantity = line.quantity {
                    try Validate.require(quantity > 0 && quantity <= OrderPricing.maxQuantity, "lines[\(i)].quantity", "must be 1 to \(OrderPricing.maxQuantity)")
                }
                if let price = line.unitPrice { try Validate.require(price > 0, "lines[\(i)].unitPrice", "must be positive") }
            }
            if let payment = terms.paymentTerms { try QuoteRoutes.validate(payment) }
        }
        enum CodingKeys: CodingKey { case customerCode, note, stage, validUntil, lines, serviceTerms, paymentTerms }
    }

    /// The shape of payment terms (which figures each kind takes is the chain's rule, 422).
    static func validate(_ payment: AgreedPaymentTerms) throws {
        try Validate.require(AgreedPaymentTerms.kinds.contains(payment.kind), "paymentTerms.kind", "one of \(AgreedPaymentTerms.kinds.joined(separator: ", "))")
        if let percent = payment.depositPercent { try Validate.require((1...99).contains(percent), "paymentTerms.depositPercent", "must be 1 to 99") }
        if let days = payment.netDays { try Validate.require((0...365).contains(days), "paymentTerms.netDays", "must be 0 to 365") }
    }
    struct Accept: Decodable, Sendable { let version: Int64? }
    struct Expire: Decodable, Sendable { let asOf: BusinessDate }
    struct Expired: ResponseEncodable, Sendable { let asOf: BusinessDate; let expired: [String] }
    struct Comparison: ResponseEncodable, Sendable { let quoteNo: String; let from: Int; let to: Int; let lines: [QuoteLineChange] }

    func add(to router: Routes) {
        let group = router.group("/quotes")
        group.get(allow: .readers) { request, _ -> Page<QuoteView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let status = query.get("status")
            if let status, QuoteStatus(rawValue: status) == nil {
                throw APIError(.badRequest, "invalid-field", "status: must be one of \(QuoteStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await env.read {
                try QuoteStore(tx: $0).quotes(customer: query.get("customer"), status: status, owner: query.get("owner"), after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get(":quoteNo", allow: .readers) { _, context -> QuoteView in
            let quoteNo = try context.parameters.require("quoteNo")
            guard let quote = try await env.read({ try QuoteStore(tx: $0).quote(quoteNo) }) else { throw APIError.notFound("no quote \(quoteNo)") }
            return quote
        }
        group.get(":quoteNo/compare", allow: .readers) { request, context -> Comparison in
            let quoteNo = try context.parameters.require("quoteNo")
            let query = request.uri.queryParameters
            let numbers = 1...Int(Int32.max)
            guard let from = query.get("from").flatMap(Int.init), let to = query.get("to").flatMap(Int.init),
                  numbers.contains(from), numbers.contains(to) else {
                throw APIError(.badRequest, "invalid-field", "from, to: two version numbers (1 to \(Int32.max))")
            }
            let versions = try await env.read { tx in (try QuoteStore(tx: tx).version(quoteNo, from), try QuoteStore(tx: tx).version(quoteNo, to)) }
            guard let a = versions.0, let b = versions.1 else { throw APIError.notFound("quote \(quoteNo) has no version \(versions.0 == nil ? from : to)") }
            return Comparison(quoteNo: quoteNo, from: from, to: to, lines: QuoteChain.compare(a.terms, b.terms))
        }
        // A new version (the first opens the quote): sent at once within the author's limit, else 202 until approved.
        group.post(":quoteNo/versions", allow: .staff) { request, context -> Response in
            let quoteNo = try context.parameters.require("quoteNo")
            do { try Validate.notBlank(quoteNo, "quoteNo", max: 64) } catch let error as ContractError {
                throw APIError(.badRequest, error.code.rawValue, error.message)
            }
            let body = try await request.decode(as: Version.self, context: context)
            let asked = Quoting.Revision(quoteNo: quoteNo, customerCode: body.customerCode, terms: body.terms, note: body.note)
            let outcome = try await env.perform("POST /quotes/{quoteNo}/versions", correlationId: quoteNo) { work in
                try Quoting.revise(asked, asOf: BusinessDate(Date()), work)
            }
            switch outcome {
            case .sent(let version):
                var response = try version.response(from: request, context: context)
                response.status = .created
                return response
            case .pending(let approval, _): return try ApprovalPending(approval).response()
            }
        }
        group.post(":quoteNo/accept", allow: .staff) { request, context -> QuoteView in
            let quoteNo = try context.parameters.require("quoteNo")
            let body = try await request.decode(as: Accept.self, context: context)
            return try await env.perform("POST /quotes/{quoteNo}/accept", correlationId: quoteNo) { work in
                try Quoting.accept(quoteNo, version: body.version, asOf: BusinessDate(Date()), work)
            }
        }
        // Run early (as of a later day), it would expire quotes too soon: managers and operations only.
        router.post("/quote-expiry/run", allow: .managers.plus("operations")) { request, context -> Expired in
            let body = try await request.decode(as: Expire.self, context: context)
            let expired = try await env.perform("POST /quote-expiry/run") { work in try Quoting.expire(asOf: body.asOf, work) }
            return Expired(asOf: body.asOf, expired: expired)
        }
    }
}

extension QuoteView: ResponseEncodable {}
extension QuoteVersionView: ResponseEncodable {}
