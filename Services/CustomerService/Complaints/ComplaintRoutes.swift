import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// Complaints: open one, list and read cases, resolve one, run the escalation.
struct ComplaintRoutes: Sendable {
    let env: ServiceEnvironment

    struct Resolve: Decodable, Sendable {
        let resolution: String, note: String?, lines: [ItemQuantity]?
        /// What goodwill pays the customer, minor units of the order's currency.
        let compensation: Int64?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resolution = try c.decode(String.self, forKey: .resolution)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            lines = try c.decodeIfPresent([ItemQuantity].self, forKey: .lines)
            compensation = try c.decodeIfPresent(Int64.self, forKey: .compensation)
            try Validate.oneOf(resolution, ComplaintPolicy.resolutions, "resolution")
            try Validate.require(resolution != "return" || !(lines ?? []).isEmpty, "lines", "a return needs the lines that come back")
            try Validate.require(compensation.map { $0 > 0 && $0 <= 1_000_000_000_000 } ?? true, "compensation", "must be 1 to 1000000000000")
            try Validate.require(compensation == nil || resolution == "goodwill", "compensation", "only goodwill pays compensation")
        }
        enum CodingKeys: CodingKey { case resolution, note, lines, compensation }
    }

    struct EscalationRun: Decodable, Sendable { let asOf: String? }
    struct Resolved: ResponseEncodable, Sendable { let caseNumber: String; let status: String }
    struct Escalated: ResponseEncodable, Sendable { let escalated: [ComplaintEscalated] }

    func add(to router: Routes) {
        let group = router.group("/complaints")
        group.post(allow: .staff) { request, context -> Response in
            let complaint = try await request.decode(as: OpenComplaint.self, context: context)
            let event = try await env.perform("POST /complaints", correlationId: complaint.orderRef) { work in
                try Cases.open(complaint, openedAt: Date(), work)
            }
            var response = try event.response(from: request, context: context)
            response.status = .created
            return response
        }
        group.get(allow: .readers) { request, _ -> Page<CaseView> in
            let (limit, after) = try PageRequest.numbered(request, max: CustomerServiceAPI.maxLimit)
            let query = request.uri.queryParameters
            let status = query.get("status"), order = query.get("order"), customer = query.get("customer")
            if let status, CaseStatus(rawValue: status) == nil {
                throw APIError(.badRequest, "invalid-field", "status: must be one of \(CaseStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await env.read {
                try CaseReads(tx: $0).cases(status: status, order: order, customer: customer, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        group.get(":number", allow: .readers) { _, context -> CaseDetailView in
            let number = try context.parameters.require("number")
            guard let detail = try await env.read({ try CaseReads(tx: $0).caseDetail(number) }) else { throw APIError.notFound("no case \(number)") }
            return detail
        }
        group.post(":number/resolve", allow: .staff) { request, context -> Response in
            let number = try context.parameters.require("number")
            let body = try await request.decode(as: Resolve.self, context: context)
            let asked = CustomerServiceApprovals.Resolution(number: number, resolution: body.resolution, note: body.note,
                                                            lines: body.lines ?? [], compensation: body.compensation)
            let outcome = try await env.perform("POST /complaints/{number}/resolve") { work in
                try Cases.resolve(asked, work)
            }
            switch outcome {
            case .pending(let approval): return try ApprovalPending(approval).response()
            case .resolved(let status): return try Resolved(caseNumber: number, status: status).response(from: request, context: context)
            }
        }
        // The escalation the service runs every few minutes, on demand and "as of" a time.
        group.post("escalations/run", allow: .staff) { request, context -> Escalated in
            let body = try await request.decode(as: EscalationRun.self, context: context)
            let asOf = try body.asOf.map { text -> Date in
                guard let date = Validate.parseTimestamp(text) else {
                    throw APIError(.badRequest, "invalid-field", "asOf: must be an ISO 8601 date-time")
                }
                return date
            } ?? Date()
            return Escalated(escalated: try await env.perform("POST /complaints/escalations/run") { work in try Cases.escalate(asOf: asOf, work) })
        }
    }
}

extension CaseView: ResponseEncodable {}
extension CaseDetailView: ResponseEncodable {}
