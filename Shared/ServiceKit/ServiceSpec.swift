import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage
import Tracing

/// What makes one department's service: its id (queue, schema, routing-key prefix), its
/// default port, its migrations and its capabilities (whose handlers give its bindings, whose
/// routes are its HTTP API).
public struct ServiceSpec: Sendable {
    public let id: String
    public let defaultPort: Int
    public let migrations: [Migration]
    public let handlers: HandlerRegistry
    /// What its queue is bound to: the routing keys of the commands and events it handles.
    public var bindings: [Topology.Binding] { handlers.bindings }
    /// Its HTTP API: every route with the roles it needs.
    public let routes: @Sendable (Routes, ServiceEnvironment) -> Void
    /// Work for the whole bus that this service owns (one service owns each).
    public let busDuties: [BusDuty]
    public let jobs: [PeriodicJob]
    /// Its authority limits and approvals (nil: it puts nothing under limits).
    public let approvals: ApprovalBook?
    /// Gauges of its own business state, sampled from its schema (`/metrics`).
    public let gauges: BusinessGauges?

    /// A department's service from its capabilities: their handlers, routes, jobs and gauges together.
    public init(id: String, defaultPort: Int, migrations: [Migration], capabilities: [any Capability],
                busDuties: [BusDuty] = [], approvals: ApprovalBook? = nil) {
        var handlers = HandlerRegistry()
        for capability in capabilities { capability.handle(&handlers) }
        self.id = id; self.defaultPort = defaultPort; self.migrations = migrations; self.handlers = handlers
        routes = { routes, env in for capability in capabilities { capability.routes(routes, env) } }
        self.busDuties = busDuties
        let outcomes = capabilities.flatMap { $0.approvalOutcomes }
        if let problem = Self.outcomeProblem(id, approvals, outcomes) { preconditionFailure(problem) }
        self.approvals = approvals?.deciding(outcomes)
        jobs = capabilities.flatMap { $0.jobs }
        let sampled: [BusinessGauges] = capabilities.compactMap { $0.gauges }
        if sampled.isEmpty { gauges = nil } else {
            gauges = { tx in
                var readings: [GaugeReading] = []
                for sample in sampled { readings += try sample(tx) }
                return readings
            }
        }
    }

    /// Why a service's approval outcomes do not fit its book, or nil: every action the book puts
    /// under limits does something once decided, once, and only its actions do.
    static func outcomeProblem(_ id: String, _ book: ApprovalBook?, _ outcomes: [ApprovalOutcome]) -> String? {
        guard let book else { return outcomes.isEmpty ? nil : "\(id): approval outcomes without an approval book" }
        let given = outcomes.map(\.action)
        guard Set(given) == Set(book.actions.keys), given.count == book.actions.count else {
            return "\(id): the approval actions \(book.actions.keys.sorted()) need one outcome each; the capabilities give \(given.sorted())"
        }
        return nil
    }

    /// The department's name in role names: the id with `_` as `-` (`customer-service:staff`).
    public static func department(of id: String) -> String { id.replacingOccurrences(of: "_", with: "-") }

    /// The kit's migrations (outbox, inbox, refusals; people and approvals; the change log) and the service's own.
    public var allMigrations: [Migration] { MessagingMigrations.all(schema: schema) + ApprovalMigrations.all + ChangeLogMigrations.all + migrations }

    /// Brings the schema up to date and writes the default authority limits it lacks.
    @discardableResult
    public func prepareSchema(_ pool: PostgresPool, logger: Logger) async throws -> [Int] {
        let applied = try await Migrator.apply(allMigrations, pool: pool, logger: logger)
        if let approvals { try await pool.transaction { try approvals.seedDefaults($0) } }
        return applied
    }
}

/// Work for the whole bus rather than one department, owned by exactly one service so it is
/// neither forgotten nor done twice over.
public enum BusDuty: Sendable {
    /// Read `bizops.unrouted`: dead-letter the commands no service handles (`unknown-routing-key`),
    /// answer their senders, count the events nobody binds.
    case sweepUnrouted
}

extension ServiceSpec {
    /// The router every copy of the service serves, middleware and all (request logs, metrics,
    /// tracing, 405/404 in the error body): the process adds its health routes through `kit`, an
    /// in-process route test hosts it as it is.
    public func makeRouter(_ environment: ServiceEnvironment,
                           kit: (Router<ServiceRequestContext>) -> Void = { _ in }) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        let table = RouteTable()
        // Spans per request through swift-distributed-tracing (none without a tracer, OTLP_* unset);
        // first, so the request log and the work it starts carry that span's trace.
        router.add(middleware: RequestTracingMiddleware())
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: UnknownRouteMiddleware(table))
        router.add(middleware: AuthMiddleware(authenticator: environment.auth))
        kit(router)
        addRoutes(to: router, environment)
        table.fill(from: router)
        return router
    }

    /// The service's own routes and the kit's (`/refusals`, `/changes`), as every copy serves them:
    /// what a route test hosts in-process, and what the OpenAPI check compares with its document.
    /// Answers every route added with the roles it declared.
    @discardableResult
    public func addRoutes(to router: Router<ServiceRequestContext>, _ environment: ServiceEnvironment) -> AccessTable {
        let declared = AccessTable()
        let routes = Routes(router, department: Self.department(of: id), declared: declared)
        RefusalRoutes.add(to: routes, environment)
        ChangeLog.add(to: routes, environment)
        if let approvals { ApprovalRoutes.add(to: routes, environment, approvals) }
        self.routes(routes, environment)
        return declared
    }

    /// The PostgreSQL schema: the id with `-` as `_`.
    public var schema: String { id.replacingOccurrences(of: "-", with: "_") }
}
