import Contracts
import Foundation
import Hummingbird
import Messaging
import Storage

/// The answer to a command that went beyond its actor's authority: 202, and the request that waits.
public struct ApprovalPending: Encodable, Sendable, ResponseEncodable {
    public let status: String
    public let approval: ApprovalRecord

    public init(_ record: ApprovalRecord) { status = "pending-approval"; approval = record }

    public func response() throws -> Response {
        Response(status: .accepted, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder.contracts.encode(self))))
    }
}

/// The kit's approval routes, in every service that has an approval book: requests (listed per
/// approver), decisions, the authority limits and their history, delegations, the decision log
/// and the people the service knows.
enum ApprovalRoutes {
    static let maxLimit = 500

    struct DecisionBody: Decodable, Sendable {
        let reason: String?
    }
    struct LimitBody: Decodable, Sendable {
        let limit: Int64?
        let note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard c.contains(.limit) else { throw ContractError(.invalidField, "limit: required (a whole number, or null for no limit)") }
            limit = try c.decodeIfPresent(Int64.self, forKey: .limit)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.require(limit.map { $0 >= 0 } ?? true, "limit", "must not be negative")
            if let note { try Validate.notBlank(note, "note", max: 500) }
        }
        enum CodingKeys: CodingKey { case limit, note }
    }
    struct DelegationBody: Decodable, Sendable {
        let delegate: String, starts: String, ends: String, note: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            delegate = try c.decode(String.self, forKey: .delegate)
            starts = try c.decode(String.self, forKey: .starts)
            ends = try c.decode(String.self, forKey: .ends)
            note = try c.decodeIfPresent(String.self, forKey: .note)
            try Validate.notBlank(delegate, "delegate", max: 200)
            try Validate.date(starts, "starts")
            try Validate.date(ends, "ends")
            if let note { try Validate.notBlank(note, "note", max: 500) }
        }
        enum CodingKeys: CodingKey { case delegate, starts, ends, note }
    }
    struct Rules: Codable, Sendable, ResponseEncodable { let rules: [AuthorityRule] }
    struct Detail: Encodable, Sendable, ResponseEncodable { let approval: ApprovalRecord; let log: [ApprovalLogEntry] }
}

extension ApprovalRecord: ResponseEncodable {}
extension AuthorityRule: ResponseEncodable {}
extension Delegation: ResponseEncodable {}
extension ApprovalLogEntry: ResponseEncodable {}
extension KnownPerson: ResponseEncodable {}

extension ApprovalRoutes {

    static func add(to router: Routes, _ env: ServiceEnvironment, _ book: ApprovalBook) {
        router.get("/approvals", allow: .readers) { request, _ -> Page<ApprovalRecord> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let status = query.get("status")
            let statuses = ["pending", "approved", "rejected", "superseded"]
            if let status, !statuses.contains(status) {
                throw APIError(.badRequest, "invalid-field", "status: one of \(statuses.joined(separator: ", "))")
            }
            // `for=me`: what the caller may decide now, in person or for someone they stand in for today.
            let mine = query.get("for") == "me"
            if let value = query.get("for"), value != "me" { throw APIError(.badRequest, "invalid-field", "for: only `me`") }
            let person = RequestActor.current
            let rows = try await env.read { tx -> [ApprovalRecord] in
                let store = ApprovalStore(tx: tx)
                var roles: [String]?
                if mine, let person {
                    var levels = book.level(of: person.roles).map { [$0] } ?? []
                    levels += try store.delegators(of: person.subject, on: Date()).compactMap { book.level(of: $0.roles) }
                    let top = levels.max()
                    roles = AuthorityLevel.allCases.filter { level in top.map { level <= $0 } ?? false }.map(book.role)
                }
                let found = try store.requests(status: mine ? "pending" : status, roles: roles, subject: query.get("subject"),
                                               after: after, limit: limit + 1)
                return mine ? found.filter { $0.requestedBy != person?.subject } : found
            }
            return Page(rows, limit: limit) { String($0.seq) }
        }
        router.get("/approvals/:id", allow: .readers) { _, context -> Detail in
            let id = try uuid(context)
            guard let detail = try await env.read({ tx -> Detail? in
                let store = ApprovalStore(tx: tx)
                guard let record = try store.request(id) else { return nil }
                return Detail(approval: record, log: try store.logEntries(request: id, after: 0, limit: 1000))
            }) else { throw APIError.notFound("no approval request \(id)") }
            return detail
        }
        for (path, approve) in [("approve", true), ("reject", false)] {
            router.post("/approvals/:id/\(path)", allow: .deciders) { request, context -> ApprovalRecord in
                let id = try uuid(context)
                // The body is optional for an approval: none means no reason.
                var request = request
                let bytes = try await request.collectBody(upTo: context.maxUploadSize)
                let body: DecisionBody
                do {
                    body = bytes.readableBytes == 0 ? DecisionBody(reason: nil)
                        : try ContractRegistry.decodeStrict(DecisionBody.self, from: Data(bytes.readableBytesView))
                } catch let error as ContractError { throw APIError(.badRequest, error.code.rawValue, error.message) }
                let record = try await env.perform("POST /approvals/{id}/\(path)") { work in
                    // A rejection says why; an approval may.
                    if !approve || body.reason != nil { try Validate.notBlank(body.reason ?? "", "reason", max: 1000) }
                    return try book.decide(id, approve: approve, reason: body.reason, work)
                }
                return record
            }
        }
        router.get("/approval-log", allow: .readers) { request, _ -> Page<ApprovalLogEntry> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try ApprovalStore(tx: $0).logEntries(request: nil, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.get("/authority-limits", allow: .readers) { _, _ -> Rules in
            Rules(rules: try await env.read { try ApprovalStore(tx: $0).currentRules() })
        }
        router.get("/authority-limits/history", allow: .readers) { request, _ -> Page<AuthorityRule> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let rows = try await env.read { try ApprovalStore(tx: $0).ruleHistory(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.put("/authority-limits/:action/:role", allow: .deciders) { request, context -> AuthorityRule in
            let actionName = try context.parameters.require("action"), role = try context.parameters.require("role")
            guard let action = book.actions[actionName] else { throw APIError.notFound("\(env.id) has no action \(actionName)") }
            let levels = [AuthorityLevel.staff, .manager, .director]
            guard let level = levels.first(where: { book.role($0) == role }) else {
                throw APIError.notFound("no limit of \(role) to set: the roles are \(levels.map(book.role).joined(separator: ", ")) (executive has no limit)")
            }
            let body = try await request.decode(as: LimitBody.self, context: context)
            // A director's limits are set by executive; staff and manager limits by the department's director.
            let setter = level == .director ? "executive" : book.role(.director)
            return try await env.perform("PUT /authority-limits/{action}/{role}") { work in
                guard (work.cause.roles ?? []).contains(setter) else {
                    throw Refusal(.notAuthorised, "the limits of \(role) are set by \(setter)")
                }
                // A director grants no more than they hold themselves.
                if setter != "executive" {
                    let own = try ApprovalStore(tx: work.transaction).currentRule(actionName, role: setter)
                    guard let ownLimit = own?.limit, let limit = body.limit, limit <= ownLimit else {
                        throw Refusal(.notAuthorised, "\(setter) may set \(role)'s limit up to their own (\(own?.limit.map(String.init) ?? "none")), not \(body.limit.map(String.init) ?? "no limit")")
                    }
                }
                return try ApprovalStore(tx: work.transaction).insertRule(actionName, role: role, limit: body.limit, unit: action.unit.rawValue,
                                                                       by: work.cause.actor ?? "-", note: body.note)
            }
        }
        router.get("/delegations", allow: .readers) { request, _ -> Page<Delegation> in
            let (limit, after) = try PageRequest.numbered(request, max: maxLimit)
            let person = request.uri.queryParameters.get("person")
            let rows = try await env.read { try ApprovalStore(tx: $0).delegations(involving: person, after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.post("/delegations", allow: .deciders) { request, context -> Delegation in
            let body = try await request.decode(as: DelegationBody.self, context: context)
            return try await env.perform("POST /delegations") { work in
                let delegator = work.cause.actor ?? ""
                guard let level = book.level(of: work.cause.roles ?? []), level >= .manager else {
                    throw Refusal(.notAuthorised, "only an approver (a manager or above in \(book.department), or executive) delegates")
                }
                guard body.delegate != delegator else { throw Refusal(.invalidField, "delegate: not yourself") }
                guard body.ends >= body.starts else { throw Refusal(.invalidField, "ends: must not be before starts") }
                return try ApprovalStore(tx: work.transaction).insertDelegation(delegator: delegator, delegate: body.delegate,
                                                                               starts: body.starts, ends: body.ends, note: body.note)
            }
        }
        // Ends it early; the delegation stays listed, with its end.
        router.delete("/delegations/:id", allow: .deciders) { _, context -> Response in
            let text = try context.parameters.require("id")
            guard let id = Int64(text) else { throw APIError.notFound("no delegation \(text)") }
            let ended = try await env.perform("DELETE /delegations/{id}") { work in
                try ApprovalStore(tx: work.transaction).endDelegation(id, by: work.cause.actor ?? "")
            }
            guard ended != nil else { throw APIError.notFound("no open delegation \(id) of yours") }
            return Response(status: .noContent)
        }
        router.get("/people", allow: .readers) { request, _ -> Page<KnownPerson> in
            let (limit, after) = try PageRequest.keyed(request, max: maxLimit)
            let rows = try await env.read { try ApprovalStore(tx: $0).people(after: after, limit: limit + 1) }
            return Page(rows, limit: limit) { $0.subject }
        }
    }

    static func uuid(_ context: ServiceRequestContext) throws -> UUID {
        let text = try context.parameters.require("id")
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("no approval request \(text)") }
        return id
    }
}
