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

