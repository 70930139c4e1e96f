import Foundation
import Messaging
import Storage
import Testing

/// TLS to the broker (amqps://, rabbitmq-c's TLS socket) and the database (libpq,
/// sslmode=verify-full), against the servers deploy/local/infra.sh runs with a CA of its own
/// (.local/tls): a service works over it, and a certificate from another CA or a name that is
/// not the certificate's is refused.
@Suite(.serialized, .enabled(if: TestServers.enabled)) struct TLSTests {
    static let dir = TestServers.repoRoot.appendingPathComponent(".local/tls")
    static var ca: String { dir.appendingPathComponent("ca.pem").path }

    static func amqps(host: String = "localhost", ca: String = ca, client: Bool = false) -> String {
        let cert = client ? "&certfile=\(dir.appendingPathComponent("client.pem").path)&keyfile=\(dir.appendingPathComponent("client.key").path)" : ""
        return "amqps://bizops:bizops-dev@\(host):5671/\(TestServers.vhost)?cacertfile=\(ca)\(cert)"
    }

    static func postgres(host: String = "localhost", ca: String = ca) -> String {
        "postgresql://bizops:bizops-dev@\(host):5432/\(TestServers.database)?sslmode=verify-full&sslrootcert=\(ca)"
    }

    /// A CA nobody trusts here, made for the test.
    static func otherCA() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bizops-other-ca-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=another CA",
                             "-keyout", folder.appendingPathComponent("ca.key").path, "-out", folder.appendingPathComponent("ca.pem").path]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestSetupError("openssl could not make a CA") }
        return folder.appendingPathComponent("ca.pem").path
    }

    static func requireTLS() async throws {
        try await TestServers.requireUp()
        guard FileManager.default.fileExists(atPath: ca) else {
            throw TestSetupError("no local CA at \(ca): start the servers with deploy/local/infra.sh start")
        }
    }

    @Test func aServiceRunsOverTLSToTheBrokerAndTheDatabase() async throws {
        try await Self.requireTLS()
        let probe = try await Probe.make()
        let service = try await probe.serve(env: ["AMQP_URL": Self.amqps(client: true), "DATABASE_URL": Self.postgres()])
        try await probe.send((1...20).map { probe.command(seq: $0) })
        #expect(try await eventually { try await probe.effects() == 20 })
        #expect(try await probe.drain(probe.observer, expected: 20).count == 20)
        #expect(service.text.contains("amqps://bizops@localhost:5671/\(TestServers.vhost)"), "\(service.text.suffix(1500))")
        // The broker and the database both say the service's own connections are encrypted.
        var mine: [[String: Any]] = []
        _ = await eventually(timeout: 15, every: 0.5) {  // the management API lists connections with its stats
            let body = (try? await http("http://bizops:bizops-dev@127.0.0.1:15672/api/connections").body) ?? ""
            let all = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
            mine = all.filter { ($0["client_properties"] as? [String: Any])?["connection_name"].map { "\($0)" }?.contains(probe.id) == true }
            return mine.count >= 2
        }
        #expect(mine.count >= 2 && mine.allSatisfy { $0["ssl"] as? Bool == true }, "\(mine.map { ($0["name"] ?? "-", $0["ssl"] ?? "-") })")
        let sessions = try await TestServers.pool(schema: probe.id, size: 1).query("""
            SELECT count(*) AS n, count(*) FILTER (WHERE s.ssl) AS encrypted
            FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.application_name = $1
            """, [.text(probe.id)])
        #expect(try sessions.first!.int("n") > 0 && sessions.first!.int("n") == sessions.first!.int("encrypted"))
        await service.stop()
        await probe.cleanUp()
    }

    @Test func aCertificateFromAnotherCAOrForAnotherNameIsRefused() async throws {
        try await Self.requireTLS()
        let other = try Self.otherCA()
        func broker(_ url: String) async -> String? {
            let client = AMQPClient(config: try! AMQPConfig.parse(url), name: "tls test")
            defer { Task { await client.close() } }
            do { _ = try await client.messageCount(Topology.unroutedDead); return nil } catch { return "\(error)" }
        }
        #expect(await broker(Self.amqps()) == nil)
        #expect(await broker(Self.amqps(client: true)) == nil, "with a client certificate of the CA")
        let foreign = await broker(Self.amqps(ca: other))
        #expect(foreign?.contains("TLS with localhost:5671 failed") == true, "\(foreign ?? "accepted")")
        let misnamed = await broker(Self.amqps(host: "127.0.0.1"))
        #expect(misnamed?.contains("TLS with 127.0.0.1:5671 failed") == true, "\(misnamed ?? "accepted")")

        func database(_ url: String) async -> String? {
            let pool = PostgresPool(DatabaseConfig(url: url, schema: nil, poolSize: 1, checkoutTimeout: 5))
            do {
                let ssl = try await pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first.map { try $0.bool("ssl") }
                return ssl == true ? nil : "connected without TLS"
            } catch { return "\(error)" }
        }
        #expect(await database(Self.postgres()) == nil)
        let untrusted = await database(Self.postgres(ca: other))
        #expect(untrusted?.contains("certificate verify failed") == true, "\(untrusted ?? "accepted")")
        let wrongName = await database(Self.postgres(host: "127.0.0.1"))
        #expect(wrongName?.contains("does not match host name") == true, "\(wrongName ?? "accepted")")
    }
}
