import Foundation
import Testing
@testable import ServiceKit

@Suite struct ServiceConfigTests {
    let good = ["AMQP_URL": "amqp://sales:pw@127.0.0.1:5672/bizops",
                "DATABASE_URL": "postgresql://sales:pw@127.0.0.1:5432/bizops", "AUTH_JWKS_FILE": "/etc/bizops/jwks.json"]

    @Test func defaultsApply() throws {
        let config = try ServiceConfig.fromEnvironment(good, defaultPort: 8081)
        #expect(config.httpPort == 8081)
        #expect(config.logLevel == .info)
        #expect(config.logFormat == .text)
        #expect(config.amqp.vhost == "bizops")
    }

    @Test func theRolesClaimAndTheKeyRefreshAreRead() throws {
        let base = ["AMQP_URL": "amqp://u:p@127.0.0.1:5672/v", "DATABASE_URL": "postgresql://u:p@127.0.0.1:5432/d", "AUTH_JWKS_FILE": "/tmp/jwks.json"]
        let defaults = try ServiceConfig.fromEnvironment(base, defaultPort: 8081)
        #expect(defaults.auth.rolesClaim == ["roles"] && defaults.auth.refreshInterval == .seconds(300))
        let set = try ServiceConfig.fromEnvironment(base.merging(["AUTH_ROLES_CLAIM": "realm_access.roles", "AUTH_JWKS_REFRESH_SECONDS": "0"]) { $1 },
                                                    defaultPort: 8081)
        #expect(set.auth.rolesClaim == ["realm_access", "roles"] && set.auth.refreshInterval == nil)
        do {
            _ = try ServiceConfig.fromEnvironment(base.merging(["AUTH_ROLES_CLAIM": "realm_access..roles"]) { $1 }, defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            #expect(error.description.contains("AUTH_ROLES_CLAIM=realm_access..roles is invalid"))
        }
    }

    @Test func spansAreExportedOnlyWhenAnOTLPEndpointIsGivenAndOnlyOverHTTPProtobuf() throws {
        #expect(try ServiceConfig.fromEnvironment(good, defaultPort: 8081).exportTraces == false)
        let on = good.merging(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"]) { $1 }
        #expect(try ServiceConfig.fromEnvironment(on, defaultPort: 8081).exportTraces)
        let tracesOnly = good.merging(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://otel.example.com/v1/traces"]) { $1 }
        #expect(try ServiceConfig.fromEnvironment(tracesOnly, defaultPort: 8081).exportTraces)
        #expect(try ServiceConfig.fromEnvironment(on.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }, defaultPort: 8081).exportTraces == false)
        #expect(try ServiceConfig.fromEnvironment(on.merging(["OTEL_TRACES_EXPORTER": "none"]) { $1 }, defaultPort: 8081).exportTraces == false)
        #expect(try ServiceConfig.fromEnvironment(on.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"]) { $1 }, defaultPort: 8081).exportTraces)
        // The traces' own protocol wins over the general one.
        let tracesOwn = on.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"]) { $1 }
        #expect(try ServiceConfig.fromEnvironment(tracesOwn, defaultPort: 8081).exportTraces)
        #expect(try ServiceConfig.fromEnvironment(on.merging(["OTEL_PROPAGATORS": "tracecontext"]) { $1 }, defaultPort: 8081).exportTraces)
        let bad = on.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
                              "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "collector:4318", "OTEL_TRACES_EXPORTER": "zipkin",
                              "OTEL_PROPAGATORS": "tracecontext,baggage"]) { $1 }
        do {
            _ = try ServiceConfig.fromEnvironment(bad, defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            #expect(error.problems.contains { $0.hasPrefix("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json is invalid: expected http/protobuf") })
            #expect(error.problems.contains { $0.hasPrefix("OTEL_PROPAGATORS=tracecontext,baggage is invalid") })
            #expect(error.problems.contains { $0.hasPrefix("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=collector:4318 is invalid") })
            #expect(error.problems.contains { $0.hasPrefix("OTEL_TRACES_EXPORTER=zipkin is invalid") })
        }
    }

    @Test func everyProblemIsListedAtOnce() {
        do {
            _ = try ServiceConfig.fromEnvironment(["HTTP_PORT": "99999", "LOG_FORMAT": "xml"], defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            let text = error.description
            #expect(text.contains("AMQP_URL is missing"))
            #expect(text.contains("DATABASE_URL is missing"))
            #expect(text.contains("HTTP_PORT=99999"))
            #expect(text.contains("LOG_FORMAT=xml"))
            #expect(text.contains("AUTH_JWKS_FILE or AUTH_JWKS_URL is missing"))
            #expect(error.problems.count == 5)
        } catch { Issue.record("wrong error \(error)") }
    }

    /// Secrets as container platforms mount them: `<NAME>_FILE` names a file holding the value.
    @Test func secretsComeFromFilesAndProblemsNeverShowThem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-secrets-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let amqp = dir.appendingPathComponent("amqp"), database = dir.appendingPathComponent("database")
        try "amqp://sales:s3cret-a@127.0.0.1:5672/bizops\n".write(to: amqp, atomically: true, encoding: .utf8)
        try "postgresql://sales:s3cret-d@127.0.0.1:5432/bizops\n".write(to: database, atomically: true, encoding: .utf8)
        let config = try ServiceConfig.fromEnvironment(["AMQP_URL_FILE": amqp.path, "DATABASE_URL_FILE": database.path,
                                                        "AUTH_JWKS_URL": "https://id.example.com/.well-known/jwks.json"], defaultPort: 8081)
        #expect(config.auth.keys == .url(URL(string: "https://id.example.com/.well-known/jwks.json")!))
        // Plain http only to this machine: anyone on a network path could hand out their own keys.
        var plain = good
        plain["AUTH_JWKS_FILE"] = nil
        plain["AUTH_JWKS_URL"] = "http://id.example.com/jwks.json"
        #expect(throws: ServiceConfig.Invalid.self) { try ServiceConfig.fromEnvironment(plain, defaultPort: 8081) }
        plain["AUTH_JWKS_URL"] = "http://127.0.0.1:9000/jwks.json"
        #expect(try ServiceConfig.fromEnvironment(plain, defaultPort: 8081).auth.keys == .url(URL(string: "http://127.0.0.1:9000/jwks.json")!))
        #expect(config.amqp.password == "s3cret-a" && config.amqp.user == "sales")
        #expect(config.databaseURL == "postgresql://sales:s3cret-d@127.0.0.1:5432/bizops")
        do {
            let empty = dir.appendingPathComponent("empty")
            try "\n".write(to: empty, atomically: true, encoding: .utf8)
            _ = try ServiceConfig.fromEnvironment(["AMQP_URL_FILE": dir.appendingPathComponent("missing").path,
                                                   "DATABASE_URL_FILE": empty.path], defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            #expect(error.description.contains("AMQP_URL_FILE=\(dir.path)/missing cannot be read"), "\(error)")
            #expect(error.description.contains("DATABASE_URL_FILE=\(dir.path)/empty is empty"), "\(error)")
        }
        do {
            _ = try ServiceConfig.fromEnvironment(["AMQP_URL_FILE": amqp.path, "AMQP_URL": "amqp://sales:other@h/bizops",
                                                   "DATABASE_URL": "mysql://sales:s3cret-d@h/bizops"], defaultPort: 8081)
            Issue.record("expected an error")
        } catch let error as ServiceConfig.Invalid {
            #expect(error.description.contains("AMQP_URL and AMQP_URL_FILE are both set"), "\(error)")
            #expect(error.description.contains("DATABASE_URL is invalid"), "\(error)")
            #expect(!error.description.contains("s3cret") && !error.description.contains("other"), "a secret in \(error)")
        }
    }

    @Test func malformedURLsNameTheVariable() {
        var env = good
        env["AMQP_URL"] = "rabbit://nowhere"
        env["DATABASE_URL"] = "postgresql://host-without-db"
        do { _ = try ServiceConfig.fromEnvironment(env, defaultPort: 1); Issue.record("expected an error") } catch let error as ServiceConfig.Invalid {
            #expect(error.problems.contains { $0.hasPrefix("AMQP_URL is invalid") })
            #expect(error.problems.contains { $0.hasPrefix("DATABASE_URL is invalid") })
        } catch { Issue.record("wrong error \(error)") }
    }
}
