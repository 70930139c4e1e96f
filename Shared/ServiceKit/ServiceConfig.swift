import Foundation
import Logging
import Messaging

/// A service's settings, read from the environment. Every problem is collected, so one
/// start-up error lists every missing or invalid variable at once.
public struct ServiceConfig: Sendable {
    public enum LogFormat: String, Sendable { case text, json }

    public var amqp: AMQPConfig
    public var databaseURL: String
    public var httpHost: String
    public var httpPort: Int
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var dbPoolSize: Int
    public var batchSize: Int
    public var prefetch: Int
    public var maxRetries: Int
    /// How long start-up keeps trying to reach the database and the broker.
    public var startupTimeout: Double
    /// How long a command that came before the state it needs waits before it is refused.
    public var waitForStateSeconds: Double
    /// How long a graceful shutdown may take before the rest is cancelled.
    public var shutdownTimeout: Double
    /// PostgreSQL session limits (seconds; 0 turns one off).
    public var statementTimeout: Double
    public var lockTimeout: Double
    public var idleInTransactionTimeout: Double
    /// How long a caller waits for a free database connection before it fails.
    public var poolCheckoutTimeout: Double
    /// Declare the service's exchanges, queues and bindings itself (`AMQP_DECLARE_TOPOLOGY=true`),
    /// for a broker user with configure rights; by default only check that they were provisioned.
    public var declareTopology = false
    /// Where the issuer's signing keys are, and the issuer and audience a token must name.
    public var auth: Authenticator.Config = Authenticator.Config(keys: .file(""), issuer: "bizops-local", audience: "bizops")
    /// `JOB_<NAME>_SECONDS` of the service's jobs that were set (0: off).
    public var jobSeconds: [String: Double] = [:]
    /// Spans are exported over OTLP/HTTP (OpenTelemetry's own variables: an
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` turns it on).
    public var exportTraces = false

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String {
            "configuration error:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       defaultPort: Int, jobs: [PeriodicJob] = []) throws -> ServiceConfig {
        var problems: [String] = []

        func required(_ name: String, example: String) -> String? {
            guard let value = env[name], !value.trimmingCharacters(in: .whitespaces).isEmpty else {
                problems.append("\(name) is missing (e.g. \(example))")
                return nil
            }
            return value
        }
        func integer(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) -> Int {
            guard let text = env[name], !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                problems.append("\(name)=\(text) is invalid: expected a whole number in \(range.lowerBound)...\(range.upperBound)")
                return fallback
            }
            return value
        }

        /// A secret from `<NAME>` or, as container platforms mount them, from the file `<NAME>_FILE`
        /// names (trailing newline ignored). Messages name the variable and the path, never the value.
        func secret(_ name: String, example: String) -> String? {
            let fileVariable = "\(name)_FILE"
            guard let path = env[fileVariable], !path.isEmpty else { return required(name, example: example) }
            if let value = env[name], !value.isEmpty {
                problems.append("\(name) and \(fileVariable) are both set: set one of them")
                return nil
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                problems.append("\(fileVariable)=\(path) cannot be read")
                return nil
            }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else {
                problems.append("\(fileVariable)=\(path) is empty (e.g. \(example))")
                return nil
            }
            return value
        }

        var amqp = AMQPConfig(host: "localhost")
        if let url = secret("AMQP_URL", example: "amqp://user:password@127.0.0.1:5672/bizops") {
            do { amqp = try AMQPConfig.parse(url) } catch {
                problems.append("AMQP_URL is invalid: \(error)")
            }
        }
        var databaseURL = ""
        if let url = secret("DATABASE_URL", example: "postgresql://user:password@127.0.0.1:5432/bizops") {
            if let problem = validateDatabaseURL(url) { problems.append("DATABASE_URL is invalid: \(problem)") }
            databaseURL = url
        }
        let port = integer("HTTP_PORT", defaultPort, 1...65535)
        var level = Logger.Level.info
        if let text = env["LOG_LEVEL"], !text.isEmpty {
            if let parsed = Logger.Level(rawValue: text.lowercased()) { level = parsed } else {
                problems.append("LOG_LEVEL=\(text) is invalid: expected one of trace, debug, info, notice, warning, error, critical")
            }
        }
        var format = LogFormat.text
        if let text = env["LOG_FORMAT"], !text.isEmpty {
            if let parsed = LogFormat(rawValue: text.lowercased()) { format = parsed } else {
                problems.append("LOG_FORMAT=\(text) is invalid: expected text or json")
            }
        }
        func seconds(_ name: String, _ fallback: Double, max: Double) -> Double {
            guard let text = env[name], !text.isEmpty else { return fallback }
            guard let value = Double(text), value.isFinite, (0...max).contains(value) else {
                problems.append("\(name)=\(text) is invalid: expected seconds from 0 to \(Int(max)) (0 turns it off)")
                return fallback
            }
            return value
        }
        var jobSeconds: [String: Double] = [:]
        for job in jobs where env[job.variable] != nil {
            jobSeconds[job.name] = seconds(job.variable, 0, max: 7 * 86_400)
        }
        var config = ServiceConfig(
            amqp: amqp, databaseURL: databaseURL, httpHost: env["HTTP_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "0.0.0.0",
            httpPort: port, logLevel: level, logFormat: format,
            dbPoolSize: integer("DB_POOL_SIZE", 4, 1...64),
            batchSize: integer("CONSUMER_BATCH_SIZE", 100, 1...1000),
            prefetch: integer("CONSUMER_PREFETCH", 200, 1...10_000),
            maxRetries: integer("MAX_RETRIES", 5, 0...100),
            startupTimeout: Double(integer("STARTUP_TIMEOUT_SECONDS", 60, 0...3600)),
            waitForStateSeconds: Double(integer("WAIT_FOR_STATE_SECONDS", 30, 0...3600)),
            shutdownTimeout: seconds("SHUTDOWN_TIMEOUT_SECONDS", 25, max: 3600),
            statementTimeout: seconds("DB_STATEMENT_TIMEOUT_SECONDS", 30, max: 3600),
            lockTimeout: seconds("DB_LOCK_TIMEOUT_SECONDS", 10, max: 3600),
            idleInTransactionTimeout: seconds("DB_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", 60, max: 3600),
            poolCheckoutTimeout: seconds("DB_POOL_TIMEOUT_SECONDS", 10, max: 3600))
        config.jobSeconds = jobSeconds
        switch env["AMQP_DECLARE_TOPOLOGY"]?.lowercased() {
        case nil, "", "false", "0", "no": config.declareTopology = false
        case "true", "1", "yes": config.declareTopology = true
        case let other?: problems.append("AMQP_DECLARE_TOPOLOGY=\(other) is invalid: expected true or false")
        }
        let refresh = seconds("AUTH_JWKS_REFRESH_SECONDS", 300, max: 86_400)
        config.auth.refreshInterval = refresh == 0 ? nil : .milliseconds(Int(refresh * 1000))
        if let claim = env["AUTH_ROLES_CLAIM"], !claim.isEmpty {
            let path = claim.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if path.contains(where: \.isEmpty) {
                problems.append("AUTH_ROLES_CLAIM=\(claim) is invalid: expected a claim name or a dotted path such as realm_access.roles")
            } else { config.auth.rolesClaim = path }
        }
        config.auth.issuer = env["AUTH_ISSUER"].flatMap { $0.isEmpty ? nil : $0 } ?? "bizops-local"
        config.auth.audience = env["AUTH_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 } ?? "bizops"
        switch (env["AUTH_JWKS_FILE"].flatMap { $0.isEmpty ? nil : $0 }, env["AUTH_JWKS_URL"].flatMap { $0.isEmpty ? nil : $0 }) {
        case (let file?, nil): config.auth.keys = .file(file)
        case (nil, let text?):
            // Plain http only to this machine: over a network anyone on the way could hand out their own signing keys.
            if let url = URL(string: text), url.scheme == "https"
                || (url.scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host ?? "")) {
                config.auth.keys = .url(url)
            } else {
                problems.append("AUTH_JWKS_URL=\(text) is invalid: expected the identity provider's https:// JWKS address (http only on loopback)")
            }
        case (nil, nil): problems.append("AUTH_JWKS_FILE or AUTH_JWKS_URL is missing (the keys that sign sign-in tokens, e.g. AUTH_JWKS_FILE=.local/auth/jwks.json)")
        case (_?, _?): problems.append("AUTH_JWKS_FILE and AUTH_JWKS_URL are both set: set one of them")
        }
        problems += traceExportProblems(env)
        config.exportTraces = problems.isEmpty && wantsTraceExport(env)
        if !problems.isEmpty { throw Invalid(problems: problems) }
        return config
    }

    static func wantsTraceExport(_ env: [String: String]) -> Bool {
        let endpoint = [env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], env["OTEL_EXPORTER_OTLP_ENDPOINT"]].compactMap { $0 }.first { !$0.isEmpty }
        return endpoint != nil && env["OTEL_SDK_DISABLED"]?.lowercased() != "true" && (env["OTEL_TRACES_EXPORTER"] ?? "otlp").lowercased() != "none"
    }

    /// What the OTLP exporter built in cannot do, said at start-up rather than found out later.
    static func traceExportProblems(_ env: [String: String]) -> [String] {
        var problems: [String] = []
        for name in ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] {
            guard let text = env[name], !text.isEmpty else { continue }
            if URL(string: text).map({ ["http", "https"].contains($0.scheme ?? "") && !($0.host ?? "").isEmpty }) != true {
                problems.append("\(name)=\(text) is invalid: expected the collector's http:// or https:// address (e.g. http://127.0.0.1:4318)")
            }
        }
        // The traces' own protocol wins over the general one, as OpenTelemetry defines.
        let protocolName = ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"].first { !(env[$0] ?? "").isEmpty }
        if let name = protocolName, let text = env[name], text != "http/protobuf" {
            problems.append("\(name)=\(text) is invalid: expected http/protobuf (OTLP over gRPC is not built in, and the exporter's http/json writes trace ids in base64, which collectors refuse)")
        }
        if let text = env["OTEL_TRACES_EXPORTER"], !text.isEmpty, !["otlp", "none"].contains(text.lowercased()) {
            problems.append("OTEL_TRACES_EXPORTER=\(text) is invalid: expected otlp or none")
        }
        // The bus carries W3C trace context, the only propagator the exporter built in supports
        // (it stops the process on any other, and `none` would cut every trace at each hop).
        if let text = env["OTEL_PROPAGATORS"], !text.isEmpty, text.split(separator: ",").contains(where: { $0 != "tracecontext" }) {
            problems.append("OTEL_PROPAGATORS=\(text) is invalid: expected tracecontext (the traceparent every message carries; no other propagator is built in)")
        }
        return problems
    }

    static func validateDatabaseURL(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme else {
            return "not a URL (expected postgresql://user:password@host:port/database)"
        }
        guard scheme == "postgres" || scheme == "postgresql" else { return "scheme must be postgresql, not \(scheme)" }
        guard let host = components.host, !host.isEmpty else { return "no host" }
        guard components.path.count > 1 else { return "no database name in the path" }
        if let port = components.port, !(1...65535).contains(port) { return "port \(port) out of range" }
        return nil
    }
}
