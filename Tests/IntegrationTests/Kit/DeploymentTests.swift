import Departments
import Foundation
import Testing

/// The container files: no Docker engine runs here, so Debian's docker-compose validates
/// the compose file and the test checks that it runs every service with its health check.
@Suite struct DeploymentTests {
    static var services: [String] { ServiceList.all.map(\.exe) }

    func read(_ path: String) throws -> String {
        try String(contentsOf: TestServers.repoRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// `deploy/services.txt` is the list; every other place that names the services must agree.
    @Test func everyPlaceNamesTheServicesOfTheOneList() throws {
        let list = ServiceList.all
        #expect(list.count >= 5 && Set(list.map(\.port)).count == list.count, "deploy/services.txt: \(list)")
        // The package builds what the list names (the manifest reads it), and the specs bizctl and the tests use are the list's.
        #expect(Departments.all.map(\.id) == list.map(\.id), "Services/Departments.swift: \(Departments.all.map(\.id))")
        #expect(Departments.all.map(\.defaultPort) == list.map(\.port), "each ServiceSpec's default port is the list's")
        #expect(list.allSatisfy { Departments.executables[$0.id] == $0.exe })
        let package = try read("Package.swift")
        let compose = try read("docker-compose.yml")
        let definitions = try JSONSerialization.jsonObject(with: try Data(contentsOf: TestServers.repoRoot
            .appendingPathComponent("deploy/rabbitmq/definitions.json"))) as! [String: Any]
        let users = Set((definitions["users"] as! [[String: Any]]).compactMap { $0["name"] as? String })
        let permitted = Set((definitions["permissions"] as! [[String: Any]]).compactMap { $0["user"] as? String })
        let initSQL = try read("deploy/postgres/init.sql")
        for service in list {
            #expect(compose.contains("\n  \(service.exe):\n") && compose.contains(#"HTTP_PORT: "\#(service.port)""#)
                    && compose.contains("amqp://\(service.id):"), "docker-compose.yml does not run \(service.exe) as in the list")
            #expect(users.contains(service.id) && permitted.contains(service.id), "definitions.json has no user \(service.id)")
            #expect(initSQL.contains("set_config('bizops.services', '\(list.map(\.id).joined(separator: ","))'"), "init.sql does not create \(service.id)")
        }
        let systems = Set(OutsideSystem.all.map(\.user))
        #expect(systems.count >= 4, "deploy/outside-systems.txt: \(OutsideSystem.all)")
        #expect(users.subtracting(list.map(\.id)) == systems.union(["bizops"]),
                "definitions.json has users deploy/services.txt and deploy/outside-systems.txt do not: \(users)")
        #expect(package.contains("deploy/services.txt") && !package.contains(#".executable(name: "sales""#),
                "Package.swift names its departments from deploy/services.txt, not by hand")
        // definitions.json, init.sql's roles, compose's services, the scrape targets and
        // Departments.swift are what `make generate` writes from the two lists.
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", TestServers.repoRoot.appendingPathComponent("Tools/generate/generate.py").path, "--check"]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "generated files are out of date: run make generate")
        // Each service's own spec says the same id and default port.
        let folders = try FileManager.default.contentsOfDirectory(atPath: TestServers.repoRoot.appendingPathComponent("Services").path)
        var specs: [String: Int] = [:]
        for folder in folders {
            let base = TestServers.repoRoot.appendingPathComponent("Services/\(folder)")
            for file in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] where file.hasSuffix(".swift") {
                let code = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                guard let match = code.firstMatch(of: /ServiceSpec\(id: "([a-z_]+)", defaultPort: (\d+)/) else { continue }
                specs[String(match.1)] = Int(match.2)
            }
        }
        #expect(specs == Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0.port) }), "ServiceSpecs: \(specs)")
    }

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
