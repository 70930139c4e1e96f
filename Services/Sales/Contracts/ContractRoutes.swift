import Contracts
import Foundation
import Hummingbird
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// Contracts: a draft's revisions from an accepted quote, the legal review, the signature.
struct ContractRoutes: Sendable {
    let env: ServiceEnvironment

    /// A revision as asked; the shape is checked here (400), the rest by the contract's rules.
    struct Revision: Decodable, Sendable {
        let quoteNo: String, paymentTerms: AgreedPaymentTerms?, delivery: DeliveryTerms, specs: String?
        let liability: String, returnsTerms: String, validFrom: String, validUntil: String, note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            quoteNo = try c.decode(String.self, forKey: .quoteNo)
            paymentTerms = try c.decodeIfPresent(AgreedPaymentTerms.self, forKey: .paymentTerms)
            delivery = try c.decode(DeliveryTerms.self, forKey: .delivery)
            specs = try c.decodeIfPresent(String.self, forKey: .specs)
            liability = try c.decode(String.self, forKey: .liability)
            returnsTerms = try c.decode(String.self, forKey: .returnsTerms)
            validFrom = try c.decode(String.self, forKey: .validFrom)
            validUntil = try c.decode(String.self, forKey: .validUntil)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.notBlank(quoteNo, "quoteNo", max: 64)
            try Validate.notBlank(liability, "liability", max: ContractReview.maxText)
            try Validate.notBlank(returnsTerms, "returnsTerms", max: ContractReview.maxText)
            if let specs { try Validate.notBlank(specs, "specs", max: ContractReview.maxText) }
            if let shipping = delivery.shipping { try Validate.notBlank(shipping, "delivery.shipping", max: 500) }
            try Validate.require((0...365).contains(delivery.leadTimeDays), "delivery.leadTimeDays", "must be 0 to 365")
            try Validate.date(validFrom, "validFrom")
            try Validate.date(validUntil, "validUntil")
            if let note { try Validate.notBlank(note, "note", max: 500) }
            if let payment = paymentTerms { try QuoteRoutes.validate(payment) }
        }
        enum CodingKeys: CodingKey { case quoteNo, paymentTerms, delivery, specs, liability, returnsTerms, validFrom, validUntil, note }
    }
    struct LegalReview: Decodable, Sendable {
        let outcome: String, remarks: String, revision: Int64?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            outcome = try c.decode(String.self, forKey: .outcome)
            remarks = try c.decode(String.self, forKey: .remarks)
            revision = try c.decodeIfPresent(Int64.self, forKey: .revision)
            try Validate.require(["approved", "rejected"].contains(outcome), "outcome", "approved or rejected")
            try Validate.notBlank(remarks, "remarks", max: ContractReview.maxText)
        }
        enum CodingKeys: CodingKey { case outcome, remarks, revision }
    }
    struct Sign: Decodable, Sendable { let revision: Int64? }

    func add(to router: Routes) {
        let group = router.group("/contracts")
        group.get(allow: .readers.plus("legal")) { request, _ -> Page<ContractView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let status = query.get("status")
            if let status, ContractStatus(rawValue: status) == nil {
                throw APIError(.badRequest, "invalid-field", "status: must be one of \(ContractStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await env.read {
                try ContractStore(tx: $0).contracts(customer: query.get("customer"), status: status, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get(":contractNo", allow: .readers.plus("legal")) { _, context -> ContractView in
            let contractNo = try context.parameters.require("contractNo")
            guard let contract = try await env.read({ try ContractStore(tx: $0).contract(contractNo) }) else {
                throw APIError.notFound("no contract \(contractNo)")
            }
            return contract
        }
        // A revision of the draft (the first drafts it from the quote); the reviewers concerned are asked on the bus.
        group.post(":contractNo/revisions", allow: .staff) { request, context -> Response in
            let contractNo = try context.parameters.require("contractNo")
            do { try Validate.notBlank(contractNo, "contractNo", max: 64) } catch let error as ContractError {
                throw APIError(.badRequest, error.code.rawValue, error.message)
            }
            let body = try await request.decode(as: Revision.self, context: context)
            let asked = ContractDesk.Revision(contractNo: contractNo, quoteNo: body.quoteNo, paymentTerms: body.paymentTerms, delivery: body.delivery,
                                              specs: body.specs, liability: body.liability, returnsTerms: body.returnsTerms,
                                              validFrom: body.validFrom, validUntil: body.validUntil, note: body.note)
            let contract = try await env.perform("POST /contracts/{contractNo}/revisions", correlationId: contractNo) { work in
                try ContractDesk.revise(asked, asOf: BusinessDate(Date()), work)
            }
            var response = try contract.response(from: request, context: context)
            response.status = .created
            return response
        }
        group.post(":contractNo/legal-review", allow: .only("legal")) { request, context -> ContractView in
            let contractNo = try context.parameters.require("contractNo")
            let body = try await request.decode(as: LegalReview.self, context: context)
            return try await env.perform("POST /contracts/{contractNo}/legal-review", correlationId: contractNo) { work in
                try ContractDesk.legalReview(contractNo, revision: body.revision, approve: body.outcome == "approved", remarks: body.remarks, work)
            }
        }
        // Signed within the signer's limit for the contract's value; beyond it, 202 until approved.
        group.post(":contractNo/sign", allow: .staff) { request, context -> Response in
            let contractNo = try context.parameters.require("contractNo")
            let body = try await request.decode(as: Sign.self, context: context)
            let outcome = try await env.perform("POST /contracts/{contractNo}/sign", correlationId: contractNo) { work in
                try ContractDesk.sign(contractNo, revision: body.revision, work)
            }
            switch outcome {
            case .signed(let contract): return try contract.response(from: request, context: context)
            case .pending(let approval): return try ApprovalPending(approval).response()
            }
        }
    }
}

extension ContractView: ResponseEncodable {}
