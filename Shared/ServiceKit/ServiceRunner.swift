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
/// default port, its migrations, its handlers (which give its bindings) and its HTTP API.
public struct ServiceSpec: Sendable {
    public let id: String
    public let defaultPort: Int
    public let migrations: [Migration]
    public let handlers: HandlerRegistry
    /// What its queue is bound to: the routing keys of the commands and events it handles.
    public var bindings: [Topology.Binding] { handlers.bindings }
    public let routes: @Sendable (Router<ServiceRequestContext>, ServiceEnvironment) -> Void
    /// Work for the whole bus that this service owns (one service owns each).
    public let busDuties: [BusDuty]
    public let jobs: [PeriodicJob]
    /// Who may call which route (department roles by default).
    public let access: AccessPolicy
    /// Its authority limits and approvals (nil: it puts nothing under limits).
    public let approvals: ApprovalBook?
    /// Gauges of its own business state, sampled from its schema (`/metrics`).
    public var gauges: BusinessGauges?

    public init(id: String, defaultPort: Int, migrations: [Migration], handlers: HandlerRegistry,
                routes: @escaping @Sendable (Router<ServiceRequestContext>, ServiceEnvironment) -> Void = { _, _ in },
                busDuties: [BusDuty] = [], jobs: [PeriodicJob] = [], writeRoles: [String: [String]] = [:],
                approvals: ApprovalBook? = nil) {
        self.id = id; self.defaultPort = defaultPort; self.migrations = migrations
        self.handlers = handlers; self.routes = routes; self.busDuties = busDuties
        self.jobs = jobs; self.approvals = approvals
        access = AccessPolicy(department: Self.department(of: id), writes: writeRoles)
    }

    /// The department's name in role names: the id with `_` as `-` (`customer-service:staff`).
    public static func department(of id: String) -> String { id.replacingOccurrences(of: "_", with: "-") }

    /// The kit's migrations (outbox, inbox, refusals; people and approvals; the change log) and the service's own.
    public var allMigrations: [Migration] { MessagingMigrations.all(schema: schema) + ApprovalMigrations.all + ChangeLog.migrations + migrations }

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

/// What a service's HTTP routes may use.
public struct ServiceEnvironment: Sendable {
    public let id: String
    public let pool: PostgresPool
    public let logger: Logger
    /// Verifies the bearer tokens of every request.
    public let auth: Authenticator

    public init(id: String, pool: PostgresPool, logger: Logger, auth: Authenticator) {
        self.id = id; self.pool = pool; self.logger = logger; self.auth = auth
    }

    /// Reads in one transaction on a database thread (the Store's read methods run inside).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        try await pool.transaction(body)
    }

    /// Runs work the service starts itself (an HTTP command, a job run) like a handler: state
    /// and events in one transaction, under a cause of its own.
    @discardableResult
    public func command<T: Sendable>(_ kind: Cause.Kind = .request, type: String = "http", correlationId: String? = nil,
                                     _ body: @escaping @Sendable (UnitOfWork) throws -> T) async throws -> T {
        let id = self.id, logger = self.logger
        let person = RequestActor.current
        // A job's run (PeriodicRunner) is work of its own, named for the job.
        let (kind, type) = JobRun.name.map { kind == .request && type == "http" ? (.job, "job \($0)") : (kind, type) } ?? (kind, type)
        let cause = Cause.local(kind, type, service: id, correlationId: correlationId, actor: person?.subject, roles: person?.roles,
                                trace: RequestTrace.current)
        // The request's span (TracingMiddleware's) is the parent; the transaction runs on another thread.
        let parent = WorkSpan.enabled ? ServiceContext.current : nil
        let spans = await WorkSpans.prepare(for: [correlationId], pool: pool)
        do {
            let value = try await pool.transaction { tx in
                spans.attempt()
                // What the token says of its person, kept so histories and reports can show them.
                if let person {
                    try ApprovalStore(tx: tx).remember(subject: person.subject, name: person.name, department: person.department,
                                                       team: person.team, manager: person.manager, roles: person.roles)
                }
                let span = spans.start(type, kind: .internal, cause: cause, parent: parent, attributes: ["bizops.service": id])
                return try span.run {
                    try body(UnitOfWork(transaction: tx, outbox: OutboxWriter(source: id, transaction: tx), cause: cause, logger: logger, span: span))
                }
            }
            spans.finish(committed: true)
            spans.keepFirstTracesLater(pool)
            return value
        } catch {
            spans.finish(committed: false)
            throw error
        }
    }
}

public enum ServiceMain {
    /// Reads the config, connects, migrates, declares, then serves and consumes until
    /// SIGTERM/SIGINT: then stops consuming, finishes the batch in flight, flushes the
    /// outbox and exits. Exits non-zero with a clear message when it cannot start.
    public static func run(_ spec: ServiceSpec, hooks: ConsumerHooks = ConsumerHooks()) async {
        let config: ServiceConfig
        do { config = try ServiceConfig.fromEnvironment(defaultPort: spec.defaultPort, jobs: spec.jobs) } catch {
            FileHandle.standardError.write(Data("\(spec.id): \(error)\n".utf8))
            exit(78) // EX_CONFIG
        }
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, level: config.logLevel, json: config.logFormat == .json)
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(HelpedMetricsFactory(registry: registry))
        var logger = Logger(label: spec.id)
        logger[metadataKey: "service"] = "\(spec.id)"
        var traceExport: (any Service)?
        if config.exportTraces {
            do { traceExport = try TraceExport.bootstrap(service: spec.id, logger: logger) } catch {
                FileHandle.standardError.write(Data("\(spec.id): configuration error: OTLP trace export: \(error)\n".utf8))
                exit(78)
            }
            logger.info("exporting spans over OTLP/HTTP")
        }
        do {
            try await serve(spec, config: config, registry: registry, hooks: hooks, traceExport: traceExport, logger: logger)
            logger.info("stopped cleanly")
            leave(0)
        } catch {
            logger.critical("service failed: \(error)")
            leave(1)
        }
    }

    /// Ends the process without running C and C++ exit handlers: by now everything durable is
    /// committed and confirmed, and event-loop and database threads may still be parked, which
    /// static destructors racing them can crash (seen once as SIGSEGV at shutdown).
    /// Nothing is flushed first: logs go straight to the file descriptor (`LineLogHandler`) and
    /// libpq's notices to unbuffered stderr, and fflush(NULL) would wait on the lock of any C
    /// stream another thread holds.
    static func leave(_ status: Int32) -> Never {
        _exit(status)
    }

    static func serve(_ spec: ServiceSpec, config: ServiceConfig, registry: PrometheusCollectorRegistry,
                      hooks: ConsumerHooks, traceExport: (any Service)? = nil, logger: Logger) async throws {
        let pool = PostgresPool(DatabaseConfig(url: config.databaseURL, schema: spec.schema, poolSize: config.dbPoolSize,
                                               applicationName: spec.id, statementTimeout: config.statementTimeout,
                                               lockTimeout: config.lockTimeout, idleInTransactionTimeout: config.idleInTransactionTimeout,
                                               checkoutTimeout: config.poolCheckoutTimeout), logger: logger)
        let topology = Topology(service: spec.id, bindings: spec.bindings)
        let channel = ConsumerChannel(config: config.amqp, topology: topology, prefetch: UInt16(config.prefetch),
                                      provision: config.declareTopology, logger: logger)
        let publisher = ConfirmedPublisher(config: config.amqp, name: "\(spec.id) outbox publisher", logger: logger)

        try await startupRetry("database", timeout: config.startupTimeout, logger: logger) { try await pool.warmUp() }
        let applied = try await spec.prepareSchema(pool, logger: logger)
        logger.info("schema \(spec.schema) up to date", metadata: ["applied": "\(applied)"])
        try await startupRetry("broker", timeout: config.startupTimeout, logger: logger) { try await channel.connect() }

        let processor = MessageProcessor(service: spec.id, registry: spec.handlers, pool: pool,
                                         waitBound: config.waitForStateSeconds, logger: logger)
        let consumer = MessageConsumer(channel: channel, processor: processor, publisher: publisher,
                                       batchSize: config.batchSize, maxRetries: config.maxRetries, hooks: hooks, logger: logger)
        let relay = OutboxRelay(pool: pool, publisher: publisher, logger: logger)

        let readiness = Readiness()
        let auth = Authenticator(config.auth, logger: logger)
        try await startupRetry("signing keys", timeout: config.startupTimeout, logger: logger) { try await auth.load() }
        let environment = ServiceEnvironment(id: spec.id, pool: pool, logger: logger, auth: auth)
        let router = spec.makeRouter(environment) { router in
            HealthRoutes.add(to: router, pool: pool, channel: channel, publisher: publisher, readiness: readiness, registry: registry)
        }
        let app = Application(router: router, configuration: .init(address: .hostname(config.httpHost, port: config.httpPort),
                                                                    serverName: spec.id), logger: logger)
        logger.info("starting", metadata: ["http": "\(config.httpHost):\(config.httpPort)", "queue": "\(topology.queue)",
                                           "broker": "\(config.amqp.redacted)"])
        // Shutdown runs in reverse order: stop consuming, then flush the outbox, then close HTTP,
        // and last send the spans still waiting.
        var services: [any Service] = (traceExport.map { [$0] } ?? []) + [app, relay, consumer]
        for duty in spec.busDuties {
            switch duty {
            case .sweepUnrouted: services.append(UnroutedSweeper(config: config.amqp, owner: spec.id, logger: logger))
            }
        }
        if !spec.jobs.isEmpty {
            services.append(PeriodicRunner(jobs: spec.jobs, intervals: config.jobSeconds, environment: environment, logger: logger))
        }
        services.append(ServiceGauges(pool: pool, service: spec.id, business: spec.gauges, logger: logger) {
            // What /health/ready answers, as a gauge an alert can watch.
            let database = await pool.ping(), broker = await channel.isConnected
            return database && broker && !publisher.isBlocked && !readiness.isDraining
        })
        services.append(DrainWatch(readiness))
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Past this, what is still running is cancelled (the inbox makes its redelivery harmless).
        if config.shutdownTimeout > 0 { configuration.maximumGracefulShutdownDuration = .milliseconds(Int(config.shutdownTimeout * 1000)) }
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Keeps trying a start-up step (the servers may still be coming up) until the timeout.
    static func startupRetry(_ what: String, timeout: Double, logger: Logger, _ step: () async throws -> Void) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var backoff = Backoff(initial: 0.25, maximum: 5)
        while true {
            do { return try await step() } catch {
                let delay = backoff.next()
                if ContinuousClock.now + .milliseconds(Int(delay * 1000)) > deadline {
                    throw StartupError(what: what, underlying: "\(error)")
                }
                logger.warning("\(what) not reachable yet, retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            }
        }
    }

    struct StartupError: Error, CustomStringConvertible {
        let what: String, underlying: String
        var description: String { "cannot reach the \(what): \(underlying)" }
    }
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
        router.add(middleware: AuthMiddleware(table: table, policy: access, authenticator: environment.auth))
        kit(router)
        addRoutes(to: router, environment)
        table.fill(from: router)
        return router
    }

    /// The service's own routes and the kit's (`/refusals`, `/changes`), as every copy serves them:
    /// what a route test hosts in-process, and what the OpenAPI check compares with its document.
    public func addRoutes(to router: Router<ServiceRequestContext>, _ environment: ServiceEnvironment) {
        RefusalRoutes.add(to: router, environment)
        ChangeLog.add(to: router, environment)
        if let approvals { ApprovalRoutes.add(to: router, environment, approvals) }
        routes(router, environment)
    }

    /// The PostgreSQL schema: the id with `-` as `_`.
    public var schema: String { id.replacingOccurrences(of: "-", with: "_") }
}

enum HealthRoutes {
    struct Live: ResponseEncodable, Sendable { let status: String }
    struct Ready: ResponseEncodable, Sendable {
        let status: String, database: Bool, broker: Bool, blocked: Bool, draining: Bool
    }

    static func add(to router: Router<ServiceRequestContext>, pool: PostgresPool, channel: ConsumerChannel,
                    publisher: ConfirmedPublisher, readiness: Readiness, registry: PrometheusCollectorRegistry) {
        router.get("/health/live") { _, _ in Live(status: "live") }
        router.get("/health/ready") { request, context -> Response in
            let draining = readiness.isDraining
            let database = await pool.ping()
            let broker = await channel.isConnected
            // Blocked by a broker alarm, the outbox cannot publish: events and answers wait.
            let blocked = publisher.isBlocked
            let ready = database && broker && !draining && !blocked
            var response = try Ready(status: draining ? "draining" : ready ? "ready" : "not ready", database: database, broker: broker,
                                     blocked: blocked, draining: draining).response(from: request, context: context)
            response.status = ready ? .ok : .serviceUnavailable
            return response
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
