import Contracts
import CustomerServiceDomain
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage

/// The service desk over HTTP: open and resolve complaints, see cases, do the revisits.
enum CustomerServiceAPI {
    struct Resolve: Decodable, Sendable {
        let resolution: String, note: String?, lines: [ItemQuantity]?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resolution = try c.decode(String.self, forKey: .resolution)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            lines = try c.decodeIfPresent([ItemQuantity].self, forKey: .lines)
            try Validate.oneOf(resolution, ComplaintPolicy.resolutions, "resolution")
            try Validate.require(resolution != "return" || !(lines ?? []).isEmpty, "lines", "a return needs the lines that come back")
        }
        enum CodingKeys: CodingKey { case resolution, note, lines }
    }
    struct Revisit: Decodable, Sendable {
        let satisfaction: Int, note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            satisfaction = try c.decode(Int.self, forKey: .satisfaction)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.require((1...5).contains(satisfaction), "satisfaction", "must be 1 to 5")
        }
        enum CodingKeys: CodingKey { case satisfaction, note }
    }

    struct EscalationRun: Decodable, Sendable { let asOf: String? }
    struct Resolved: ResponseEncodable, Sendable { let caseNumber: String; let status: String }
    struct RevisitDone: ResponseEncodable, Sendable { let orderRef: String; let status: String }
    struct Escalated: ResponseEncodable, Sendable { let escalated: [ComplaintEscalated] }
    static let maxLimit = 1000

    static func add(_ router: Router<ServiceRequestContext>, _ env: ServiceEnvironment) {
        router.post("/complaints") { request, context -> Response in
            let complaint = try await request.decode(as: OpenComplaint.self, context: context)
            let event = try await env.perform("POST /complaints", correlationId: complaint.orderRef) { work in
                try Cases.open(complaint, openedAt: Date(), work)
            }
            var response = try event.response(from: request, context: context)
            response.status = .created
            return response
        }
        router.get("/complaints") { request, _ -> Page<CaseView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
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
        router.get("/complaints/:number") { _, context -> CaseDetailView in
            let number = try context.parameters.require("number")
            guard let detail = try await env.read({ try CaseReads(tx: $0).caseDetail(number) }) else { throw APIError.notFound("no case \(number)") }
            return detail
        }
        router.post("/complaints/:number/resolve") { request, context -> Resolved in
            let number = try context.parameters.require("number")
            let body = try await request.decode(as: Resolve.self, context: context)
            let status = try await env.perform("POST /complaints/{number}/resolve") { work in
                try Cases.resolve(number, resolution: body.resolution, note: body.note, lines: body.lines ?? [], work)
            }
            return Resolved(caseNumber: number, status: status)
        }
        // The escalation the service runs every few minutes, on demand and "as of" a time.
        router.post("/complaints/escalations/run") { request, context -> Escalated in
            let body = try await request.decode(as: EscalationRun.self, context: context)
            let asOf = try body.asOf.map { text -> Date in
                guard let date = Validate.parseTimestamp(text) else {
                    throw APIError(.badRequest, "invalid-field", "asOf: must be an ISO 8601 date-time")
                }
                return date
            } ?? Date()
            return Escalated(escalated: try await env.perform("POST /complaints/escalations/run") { work in try Cases.escalate(asOf: asOf, work) })
        }
        router.get("/revisits") { request, _ -> Page<RevisitView> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let query = request.uri.queryParameters
            let status = query.get("status"), order = query.get("order"), customer = query.get("customer")
            if let status, !["due", "done"].contains(status) { throw APIError(.badRequest, "invalid-field", "status: must be one of due, done") }
            let rows = try await env.read {
                try CaseReads(tx: $0).revisits(status: status, order: order, customer: customer, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.post("/revisits/:ref/complete") { request, context -> RevisitDone in
            let ref = try context.parameters.require("ref")
            let body = try await request.decode(as: Revisit.self, context: context)
            try await env.perform("POST /revisits/{ref}/complete") { work in
                guard try CaseStore(tx: work.transaction).completeRevisit(ref, satisfaction: body.satisfaction, note: body.note) else {
                    throw Refusal(.notFound, "no revisit due for order \(ref)")
                }
            }
            return RevisitDone(orderRef: ref, status: "done")
        }
        router.get("/customers/:code") { _, context -> CustomerRecordView in
            let code = try context.parameters.require("code")
            guard let record = try await env.read({ try CaseReads(tx: $0).customerRecord(code) }) else {
                throw APIError.notFound("customer service knows no customer \(code)")
            }
            return record
        }
        router.get("/customers/:code/purchases") { request, context -> Page<PurchaseView> in
            let code = try context.parameters.require("code")
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try CaseReads(tx: $0).purchases(customer: code, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.seq) }
        }
    }

}

extension CaseView: ResponseEncodable {}
extension CaseDetailView: ResponseEncodable {}
extension RevisitView: ResponseEncodable {}
extension PurchaseView: ResponseEncodable {}
extension CustomerRecordView: ResponseEncodable {}
extension ComplaintOpened: ResponseEncodable {}
