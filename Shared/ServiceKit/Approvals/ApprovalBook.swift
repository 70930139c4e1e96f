import Contracts
import Foundation
import Messaging
import Storage

/// The levels of authority in a department, lowest first; `executive` stands above every
/// department and has no limit.
public enum AuthorityLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case staff, manager, director, executive

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One action a service puts under authority limits: its unit and the limits it starts with (a
/// level left out may not do it without approval). What deciding it does is an `ApprovalOutcome`
/// of the capability that asks for it.
public struct ApprovalAction: Sendable {
    public enum Unit: String, Sendable, Codable {
        /// Minor units of the document's currency.
        case money
        /// Hundredths of a percent: 1250 is 12.50 %.
        case percent
        /// Units of goods.
        case quantity
    }

    public let name: String
    public let summary: String
    public let unit: Unit
    public let defaults: [AuthorityLevel: Int64]

    public init(_ name: String, _ summary: String, unit: Unit, defaults: [AuthorityLevel: Int64]) {
        self.name = name; self.summary = summary; self.unit = unit; self.defaults = defaults
    }
}

/// What deciding a request of one action does, in the decision's transaction: declared by the
/// capability that asks for it (approving a discount places the order), so the department's book
/// names no capability and no capability reaches back into the wiring.
public struct ApprovalOutcome: Sendable {
    /// What the request does once decided; the decision says who decided.
    public typealias Perform = @Sendable (ApprovalRecord, ApprovalBook.Decision, UnitOfWork) throws -> Void

    public let action: String
    public let approved: Perform
    /// What a rejection does besides changing nothing (telling a waiting sender, say); nil: nothing.
    public let rejected: Perform?

    public init(_ action: String, approved: @escaping Perform, rejected: Perform? = nil) {
        self.action = action; self.approved = approved; self.rejected = rejected
    }
}

/// A stored approval request, as the API shows it (without its payload). Fields without a value are left out.
public struct ApprovalRecord: Sendable, Encodable, Equatable {
    /// The number it is listed by (`after` takes it).
    public let seq: Int64
    public let id: UUID
    public let action: String
    public let subject: String
    public let amount: Int64
    public let unit: String
    public let summary: String
    public let payload: String
    public let requestedBy: String
    public let requestedAt: Date
    public let approverRole: String
    public let ruleId: Int64
    public let correlationId: String?
    public let status: String
    public let decidedBy: String?
    public let onBehalfOf: String?
    public let decidedAt: Date?
    public let decisionRuleId: Int64?
    public let reason: String?

    enum CodingKeys: String, CodingKey {
        case seq, id, action, subject, amount, unit, summary, requestedBy, requestedAt, approverRole, ruleId, status, decidedBy,
             onBehalfOf, decidedAt, decisionRuleId, reason
    }

    /// The payload the action was asked with, as its type.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder.contracts.decode(T.self, from: Data(payload.utf8)) }
}

/// A service's authority limits and approvals (审批权限): one per service, over the kit's tables in
/// its schema. Limits are enforced where the command is handled, whether it came over HTTP or
/// on the bus; an action beyond its actor's limit becomes an approval request and takes effect
/// only when approved, in the decision's transaction.
public struct ApprovalBook: Sendable {
    public let department: String
    public let actions: [String: ApprovalAction]
    /// What deciding each action does (`deciding(_:)`): given by the service's capabilities.
    public private(set) var outcomes: [String: ApprovalOutcome] = [:]
    let requested: @Sendable (ApprovalRequestInfo, UnitOfWork) throws -> Void
    let decided: @Sendable (ApprovalDecisionInfo, UnitOfWork) throws -> Void

    public init<R: ApprovalRequestedEvent, D: ApprovalDecidedEvent>(department: String, actions: [ApprovalAction],
                                                                     requested: R.Type, decided: D.Type) {
        self.department = department
        self.actions = Dictionary(uniqueKeysWithValues: actions.map { ($0.name, $0) })
        self.requested = { info, work in try work.publish(R(info)) }
        self.decided = { info, work in try work.publish(D(info)) }
    }

    /// The book with what deciding each of its actions does.
    public func deciding(_ outcomes: [ApprovalOutcome]) -> ApprovalBook {
        var book = self
        book.outcomes = Dictionary(outcomes.map { ($0.action, $0) }) { first, _ in first }
        return book
    }

    /// The role name of a level in this department (`risk:manager`; `executive`).
    public func role(_ level: AuthorityLevel) -> String { level == .executive ? "executive" : "\(department):\(level.rawValue)" }

    /// The highest level among roles (nil: none in this department).
    public func level(of roles: [String]) -> AuthorityLevel? {
        AuthorityLevel.allCases.reversed().first { roles.contains(role($0)) }
    }

    public enum Authorisation: Sendable, Equatable {
        /// Within the actor's limit: do it now.
        case allowed
        /// Beyond it: the request (new, or the same one asked before) waits for an approver.
        case pending(ApprovalRecord)
    }

    /// Who decided: the person, and the approver they stood in for when they are a delegate.
    public struct Decision: Sendable, Equatable {
        public let by: String
        public let onBehalfOf: String?
        public let approved: Bool
        public let reason: String?
    }

    /// Checks an action against the actor's limit. Within it, the check is logged and the
    /// caller goes on; beyond it, an approval request is made (or the open one for the same
    /// action, document, amount and payload is returned), addressed to the lowest level whose
    /// current limit covers the amount. A changed amount or payload supersedes the open request
    /// with a new one: what was approved is exactly what was asked.
    /// `sameAs`: what makes two requests the same (default: the payload), when the payload also
    /// carries what differs between copies of one ask (the sender's message, to answer later).
    public func authorise<P: Encodable>(_ actionName: String, subject: String, amount: Int64, payload: P, summary: String,
                                        sameAs: (any Encodable)? = nil, _ work: UnitOfWork) throws -> Authorisation {
        guard let action = actions[actionName] else { preconditionFailure("\(actionName) is not an action of \(department)") }
        let store = ApprovalStore(tx: work.transaction)
        let actor = work.cause.actor ?? work.cause.source
        let level = level(of: work.cause.roles ?? [])
        if let level, let rule = try store.currentRule(actionName, role: role(level)), rule.covers(amount) {
            try supersedeOpen(actionName, subject: subject, because: "done within \(actor)'s limit", work)
            try store.log(request: nil, step: "within-limit", action: actionName, subject: subject, amount: amount, actor: actor,
                          onBehalfOf: nil, rule: rule, reason: nil)
            return .allowed
        }
        // The lowest level above the actor's whose limit covers the amount; executive always does.
        let above = AuthorityLevel.allCases.filter { level == nil || $0 > level! }
        var approver: (AuthorityLevel, AuthorityRule)?
        for candidate in above {
            if let rule = try store.currentRule(actionName, role: role(candidate)), rule.covers(amount) { approver = (candidate, rule); break }
        }
        guard let (approverLevel, rule) = approver else {
            throw Refusal(.notAuthorised, "\(action.summary) of \(amount) is beyond every limit in \(department)")
        }
        let payloadJSON = String(decoding: try JSONEncoder.contracts.encode(payload), as: UTF8.self)
        let sameJSON = try sameAs.map { String(decoding: try JSONEncoder.contracts.encode($0), as: UTF8.self) } ?? payloadJSON
        let fingerprint = "\(amount)|\(sameJSON)"
        if let open = try store.openRequest(actionName, subject: subject) {
            if try store.fingerprint(open.id) == fingerprint { return .pending(open) }
            try supersede(open, by: actor, because: "asked again with \(amount) \(action.unit.rawValue)", work)
        }
        let id = UUID()
        guard try store.insertRequest(id: id, action: actionName, subject: subject, amount: amount, unit: action.unit.rawValue, summary: summary,
                                      payload: payloadJSON, fingerprint: fingerprint, requestedBy: actor, approverRole: role(approverLevel),
                                      rule: rule, correlationId: work.correlationId) else {
            // Another ask of the same document committed first: that one waits.
            return .pending(try store.openRequest(actionName, subject: subject)!)
        }
        try store.log(request: id, step: "requested", action: actionName, subject: subject, amount: amount, actor: actor,
                      onBehalfOf: nil, rule: rule, reason: nil)
        try requested(ApprovalRequestInfo(requestId: id, action: actionName, subject: subject, amount: amount, unit: action.unit.rawValue,
                                          summary: summary, requestedBy: actor, approverRole: role(approverLevel), ruleId: rule.id,
                                          limit: rule.limit), work)
        work.logger.notice("approval requested", metadata: ["action": "\(actionName)", "subject": "\(subject)", "amount": "\(amount)",
                                                            "approver": "\(role(approverLevel))", "request": "\(id)"])
        return .pending(try store.request(id)!)
    }

    /// Supersedes the open request for an action on a document, if any: the document was dealt
    /// with another way (within someone's limit, or rejected outright), so it must not be approved later.
    public func supersedeOpen(_ actionName: String, subject: String, because reason: String, _ work: UnitOfWork) throws {
        let store = ApprovalStore(tx: work.transaction)
        guard let open = try store.openRequest(actionName, subject: subject) else { return }
        try supersede(open, by: work.cause.actor ?? work.cause.source, because: reason, work)
    }

    /// Ends an open request unapproved, in the log and on the bus (`outcome` `superseded`), so an
    /// approver's list and anyone following the requests learn it is gone.
    private func supersede(_ open: ApprovalRecord, by actor: String, because reason: String, _ work: UnitOfWork) throws {
        let store = ApprovalStore(tx: work.transaction)
        try store.supersede(open.id)
        try store.log(request: open.id, step: "superseded", action: open.action, subject: open.subject, amount: open.amount,
                      actor: actor, onBehalfOf: nil, rule: nil, reason: reason)
        try decided(ApprovalDecisionInfo(requestId: open.id, action: open.action, subject: open.subject, amount: open.amount,
                                         unit: open.unit, outcome: "superseded", requestedBy: open.requestedBy, decidedBy: actor,
                                         onBehalfOf: nil, ruleId: nil, limit: nil, reason: reason), work)
    }

    /// Approves or rejects a pending request as the work's actor: someone at the addressed level
    /// or above, or the delegate of such a person for today; never the requester, neither in
    /// person nor through a delegation. Approving runs the action in the same transaction.
    @discardableResult
    public func decide(_ id: UUID, approve: Bool, reason: String?, _ work: UnitOfWork) throws -> ApprovalRecord {
        let store = ApprovalStore(tx: work.transaction)
        guard let request = try store.request(id, lock: true) else { throw Refusal(.notFound, "no approval request \(id)") }
        guard request.status == "pending" else {
            throw Refusal(.notPending, "approval request \(id) is \(request.status)\(request.decidedBy.map { " by \($0)" } ?? "")")
        }
        guard actions[request.action] != nil, let outcome = outcomes[request.action] else {
            throw Refusal(.notFound, "\(request.action) is no longer an action of \(department)")
        }
        let decider = work.cause.actor ?? ""
        guard decider != request.requestedBy else { throw Refusal(.selfApproval, "nobody approves their own request") }
        let needed = AuthorityLevel(rawValue: String(request.approverRole.split(separator: ":").last ?? "")) ?? .executive
        var onBehalfOf: String?
        var deciderLevel = level(of: work.cause.roles ?? [])
        if deciderLevel.map({ $0 < needed }) ?? true {
            // A delegate stands in for an approver who is away, on the dates they gave.
            let stoodInFor = try store.delegators(of: decider, on: work.time).first { delegator in
                guard delegator.subject != request.requestedBy, let level = level(of: delegator.roles) else { return false }
                return level >= needed
            }
            guard let stoodInFor else {
                throw Refusal(.notApprover, "approval request \(id) is for \(request.approverRole) or above; \(decider) is neither that nor standing in for one today")
            }
            onBehalfOf = stoodInFor.subject
            deciderLevel = level(of: stoodInFor.roles)
        }
        let rule = try deciderLevel.flatMap { try store.currentRule(request.action, role: role($0)) }
        // An approval is within the decider's own limit (or their delegator's) too.
        if approve, !(rule?.covers(request.amount) ?? false) {
            throw Refusal(.notApprover, "\(request.amount) \(request.unit) is beyond the limit of \(deciderLevel.map(role) ?? decider) for \(request.action)")
        }
        let status = approve ? "approved" : "rejected"
        try store.decide(id, status: status, by: decider, onBehalfOf: onBehalfOf, rule: rule, reason: reason)
        try store.log(request: id, step: status, action: request.action, subject: request.subject, amount: request.amount, actor: decider,
                      onBehalfOf: onBehalfOf, rule: rule, reason: reason)
        work.correlate(with: request.correlationId)
        try decided(ApprovalDecisionInfo(requestId: id, action: request.action, subject: request.subject, amount: request.amount,
                                         unit: request.unit, outcome: status, requestedBy: request.requestedBy, decidedBy: decider,
                                         onBehalfOf: onBehalfOf, ruleId: rule?.id, limit: rule?.limit, reason: reason), work)
        let decision = Decision(by: decider, onBehalfOf: onBehalfOf, approved: approve, reason: reason)
        if approve { try outcome.approved(request, decision, work) } else { try outcome.rejected?(request, decision, work) }
        work.logger.notice("approval \(status)", metadata: ["request": "\(id)", "by": "\(decider)", "on_behalf_of": "\(onBehalfOf ?? "-")"])
        return try store.request(id)!
    }

    /// One request as it stands (a document's own table keeps the id of the request it waits for).
    public func request(_ id: UUID, _ work: UnitOfWork) throws -> ApprovalRecord? {
        try ApprovalStore(tx: work.transaction).request(id)
    }

    /// Writes the default limits of actions that have none yet (a new service, a new action),
    /// under a lock so replicas starting together write them once.
    public func seedDefaults(_ tx: Transaction) throws {
        try tx.lock("bizops.authority-defaults")
        let store = ApprovalStore(tx: tx)
        for action in actions.values {
            for level in AuthorityLevel.allCases where try store.currentRule(action.name, role: role(level)) == nil {
                let limit: Int64?? = level == .executive ? .some(nil) : action.defaults[level].map { .some($0) }
                guard let limit else { continue }
                try store.insertRule(action.name, role: role(level), limit: limit, unit: action.unit.rawValue, by: "defaults",
                                     note: "the service's starting limit")
            }
        }
    }
}
