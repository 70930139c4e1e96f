import Foundation
import Testing

/// The container files: no Docker engine runs here, so Debian's docker-compose validates
/// the compose file and the test checks that it runs every service with its health check.
@Suite struct DeploymentTests {
    static let services = ["sales", "logistics", "customer-service", "finance", "risk"]

    @Test func composeFileIsValidAndNamesEveryService() throws {
        let compose = TestServers.repoRoot.appendingPathComponent("docker-compose.yml").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: output) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/docker-compose") else {
            Issue.record("docker-compose is not installed: run deploy/local/infra.sh start (it installs it)")
            return
        }
        let status = system("docker-compose -f '\(compose)' config >'\(output.path)' 2>&1")
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "docker-compose config failed: \(text)")
        for service in Self.services + ["rabbitmq", "postgres"] {
            #expect(text.contains("\n  \(service):\n"), "compose file has no service \(service)")
        }
        #expect(text.components(separatedBy: "healthcheck:").count - 1 >= 7, "every container needs a health check")
        #expect(text.contains("init.sql"), "postgres must be initialised with deploy/postgres/init.sql")
    }

    @Test func dockerfileBuildsStaticNonRootImages() throws {
        let text = try String(contentsOf: TestServers.repoRoot.appendingPathComponent("deploy/docker/Dockerfile"), encoding: .utf8)
        #expect(text.contains("--static-swift-stdlib"))
        #expect(text.contains("librabbitmq4") && text.contains("libpq5"))
        #expect(text.contains("USER "))
    }
}
