import Contracts
import Foundation
import Hummingbird
import Messaging
import SalesDomain
import ServiceKit
import Storage

/// The salesperson's follow-up: visit plans and their log (拜访计划), and the exceptions of their
/// orders (late, complaints, credit holds), each listed for the salesperson and for their manager.
struct FollowUpRoutes: Sendable {
    let env: ServiceEnvironment

    struct Plan: Decodable, Sendable {
        let customerCode: String, plannedFor: String, purpose: String
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            customerCode = try c.decode(String.self, forKey: .customerCode)
            plannedFor = try c.decode(String.self, forKey: .plannedFor)
            purpose = try c.decode(String.self, forKey: .purpose)
            try Validate.notBlank(customerCode, "customerCode", max: 64)
            try Validate.date(plannedFor, "plannedFor")
            try Validate.notBlank(purpose, "purpose", max: 500)
        }
        enum CodingKeys: CodingKey { case customerCode, plannedFor, purpose }
    }
    struct RunAsOf: Decodable, Sendable {
        let asOf: Date
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            asOf = try Validate.timestamp(try c.decode(String.self, forKey: .asOf), "asOf")
        }
        enum CodingKeys: CodingKey { case asOf }
    }
    struct Log: Decodable, Sendable {
        let visitedOn: String, outcome: String, learnt: String?, nextStep: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            visitedOn = try c.decode(String.self, forKey: .visitedOn)
            outcome = try c.decode(String.self, forKey: .outcome)
            learnt = try c.decodeIfPresent(String.self, forKey: .learnt)
            nextStep = try c.decodeIfPresent(String.self, forKey: .nextStep)
            try Validate.date(visitedOn, "visitedOn")
            try Validate.notBlank(outcome, "outcome", max: 2000)
            if let learnt { try Validate.notBlank(learnt, "learnt", max: 2000) }
            if let nextStep { try Validate.notBlank(nextStep, "nextStep", max: 2000) }
        }
        enum CodingKeys: CodingKey { case visitedOn, outcome, learnt, nextStep }
    }

    func add(to router: Routes) {
        router.get("/visits", allow: .readers) { request, _ -> Page<VisitView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let status = query.get("status"), forMe = query.get("for"), overdue = query.get("overdue")
            if let status, VisitStatus(rawValue: status) == nil { throw APIError(.badRequest, "invalid-field", "status: planned, done or cancelled") }
            if let forMe, forMe != "me" { throw APIError(.badRequest, "invalid-field", "for: me") }
            if let overdue, overdue != "true" && overdue != "false" { throw APIError(.badRequest, "invalid-field", "overdue: true or false") }
            let me = RequestActor.current?.subject, today = BusinessDate(Date())
            let rows = try await env.read { tx in
                let store = FollowUpStore(tx: tx)
                // Mine, and those of the people who report to me.
                let people = try forMe == nil ? nil : store.team(of: me ?? "")
                return try store.visits(people: people ?? query.get("salesperson").map { [$0] }, customer: query.get("customer"), status: status,
                                        overdueAsOf: overdue == "true" ? today : nil, today: today, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.id) }
        }
        router.post("/visits", allow: .staff) { request, context -> Response in
            let body = try await request.decode(as: Plan.self, context: context)
            let visit = try await env.perform("POST /visits", correlationId: body.customerCode) { work -> VisitView in
                guard try CustomerFileStore(tx: work.transaction).exists(body.customerCode) else {
                    throw Refusal(.unknownCustomer, "customerCode: no customer \(body.customerCode)")
                }
                let store = FollowUpStore(tx: work.transaction), person = work.cause.actor ?? work.cause.source
                let id = try store.planVisit(customer: body.customerCode, salesperson: person, plannedFor: body.plannedFor, purpose: body.purpose)
                try CustomerFileStore(tx: work.transaction).note(body.customerCode, "visit-planned", reference: String(id),
                                                                 "visit planned for \(body.plannedFor) by \(person): \(body.purpose)")
                return try Self.visit(id, work)
            }
            var response = try visit.response(from: request, context: context)
            response.status = .created
            return response
        }
        router.post("/visits/:id/log", allow: .staff) { request, context -> VisitView in
            let id = try Self.id(context)
            let body = try await request.decode(as: Log.self, context: context)
            return try await env.perform("POST /visits/{id}/log") { work in
                let (customer, _) = try Self.openVisit(id, work)
                try FollowUpStore(tx: work.transaction).logVisit(id, visitedOn: body.visitedOn, outcome: body.outcome, learnt: body.learnt,
                                                                 nextStep: body.nextStep)
                if try CustomerFileStore(tx: work.transaction).record(customer, .visit, kind: "visit", reference: String(id),
                                                                      "visited on \(body.visitedOn): \(body.outcome)"
                                                                      + (body.nextStep.map { "; next: \($0)" } ?? "")) {
                    try CustomerFiles.changed(customer, work)
                }
                return try Self.visit(id, work)
            }
        }
        router.post("/visits/:id/cancel", allow: .staff) { _, context -> VisitView in
            let id = try Self.id(context)
            return try await env.perform("POST /visits/{id}/cancel") { work in
                _ = try Self.openVisit(id, work)
                try FollowUpStore(tx: work.transaction).cancelVisit(id)
                return try Self.visit(id, work)
            }
        }
        // What the 5-minute job does now, as of any moment: late orders, escalations, quiet customers.
        // Run early, it would escalate too soon: managers and operations only.
        router.post("/follow-up/run", allow: .managers.plus("operations")) { request, context -> FollowUpDesk.Run in
            let body = try await request.decode(as: RunAsOf.self, context: context)
            return try await env.perform("POST /follow-up/run") { work in try FollowUpDesk.run(asOf: body.asOf, work) }
        }
        router.get("/exceptions", allow: .readers) { request, _ -> Page<ExceptionView> in
            let query = request.uri.queryParameters
            let (limit, after) = try PageRequest.numbered(request, max: SalesAPI.maxLimit)
            let status = query.get("status"), forMe = query.get("for")
            if let status, !["open", "escalated", "resolved"].contains(status) {
                throw APIError(.badRequest, "invalid-field", "status: open, escalated or resolved")
            }
            if let forMe, forMe != "me" { throw APIError(.badRequest, "invalid-field", "for: me") }
            let me = forMe == nil ? nil : (RequestActor.current?.subject ?? "")
            let rows = try await env.read {
                try FollowUpStore(tx: $0).exceptions(for: me, owner: query.get("owner"), status: status, after: after, limit: limit + 1)
            }
            return Page(rows, limit: limit) { String($0.id) }
        }
    }

    static func id(_ context: ServiceRequestContext) throws -> Int64 {
        let text = try context.parameters.require("id")
        guard let id = Int64(text) else { throw APIError.notFound("no visit \(text)") }
        return id
    }

    /// A planned visit, locked: only its salesperson (or someone they report to) logs or cancels it.
    static func openVisit(_ id: Int64, _ work: UnitOfWork) throws -> (customer: String, salesperson: String) {
        let store = FollowUpStore(tx: work.transaction)
        guard let visit = try store.lockVisit(id) else { throw Refusal(.notFound, "no visit \(id)") }
        guard visit.status == .planned else { throw Refusal(.notOpen, "visit \(id) is \(visit.status.rawValue) already") }
        let person = work.cause.actor ?? work.cause.source
        let manager = try store.manager(of: visit.salesperson)
        guard person == visit.salesperson || manager == person else {
            throw Refusal(.notAuthorised, "visit \(id) is \(visit.salesperson)'s: they or their manager log it")
        }
        return (visit.customer, visit.salesperson)
    }

    static func visit(_ id: Int64, _ work: UnitOfWork) throws -> VisitView {
        let today = BusinessDate(Date())
        return try FollowUpStore(tx: work.transaction).visits(people: nil, customer: nil, status: nil, overdueAsOf: nil, today: today,
                                                              after: id - 1, limit: 1).first!
    }
}

extension VisitView: ResponseEncodable {}
extension ExceptionView: ResponseEncodable {}
extension FollowUpDesk.Run: ResponseEncodable {}
