import Foundation
import Departments
import Hummingbird
import ServiceKit
import Testing

/// Each service's OpenAPI document (docs/api/<service>.yaml) names exactly the routes its
/// router really registers, method by method: neither can drift from the other.
@Suite(.enabled(if: TestServers.enabled)) struct OpenAPIRoutesTests {
    /// Served by every service beside its own routes (ServiceMain's health routes).
    static let kitRoutes: Set<String> = ["GET /health/live", "GET /health/ready", "GET /metrics"]

    /// The document's operations, read with Python's yaml (the contract checks need it anyway).
    func documented(_ file: String) throws -> Set<String> {
        let path = TestServers.repoRoot.appendingPathComponent("docs/api/\(file)").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], 'w'))"
        let status = system("python3 -c \"\(script)\" '\(path)' '\(out.path)'")
        try #require(status == 0, "cannot read \(path) as YAML")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations = Set<String>()
        for (path, item) in paths {
            for method in ["get", "put", "post", "delete", "patch"] where item[method] != nil {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// The services on typed routes with a document of their own, by executable name.
    /// By executable (each one's document is docs/api/<executable>.yaml).
    static let specs: [String: ServiceSpec] = Dictionary(uniqueKeysWithValues: Departments.all.map { (Departments.executables[$0.id]!, $0) })

    @Test(arguments: specs.keys.sorted())
    func theDocumentNamesEveryRouteTheRouterHas(service: String) async throws {
        let spec = try #require(Self.specs[service]), file = "\(service).yaml"
        let harness = try await ServiceHarness.make(spec)
        let router = Router(context: ServiceRequestContext.self)
        spec.addRoutes(to: router, harness.environment)
        let registered = Set(router.routes.map { route in
            // Hummingbird writes parameters as `:name`, OpenAPI as `{name}`.
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
        }).union(Self.kitRoutes)
        let documented = try documented(file)
        #expect(registered.subtracting(documented).isEmpty, "routes \(file) does not document: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "\(file) documents routes the router lacks: \(documented.subtracting(registered).sorted())")
        await harness.cleanUp()
    }
}
