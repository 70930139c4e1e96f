import Foundation
import Departments
import Hummingbird
import ServiceKit
import Testing

/// Each service's OpenAPI document (docs/api/<service>.yaml) names exactly the routes its
/// router really registers, method by method, each with the roles its route declares
/// (`x-roles`): neither can drift from the other.
@Suite(.enabled(if: TestServers.enabled)) struct OpenAPIRoutesTests {
    /// Served by every service beside its own routes (ServiceMain's health routes).
    static let kitRoutes: Set<String> = ["GET /health/live", "GET /health/ready", "GET /metrics"]

    /// The document's operations, read with Python's yaml (the contract checks need it anyway).
    func documented(_ file: String) throws -> [String: [String]?] {
        let path = TestServers.repoRoot.appendingPathComponent("docs/api/\(file)").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let script = "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], 'w'))"
        let status = system("python3 -c \"\(script)\" '\(path)' '\(out.path)'")
        try #require(status == 0, "cannot read \(path) as YAML")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var operations: [String: [String]?] = [:]
        for (path, item) in paths {
            for method in ["get", "put", "post", "delete", "patch"] {
                guard let operation = item[method] as? [String: Any] else { continue }
                operations["\(method.uppercased()) \(path)"] = operation["x-roles"] as? [String]
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
        let declared = spec.addRoutes(to: router, harness.environment).all
        let registered = Set(router.routes.map(Self.name)).union(Self.kitRoutes)
        let operations = try documented(file), documented = Set(operations.keys)
        #expect(registered.subtracting(documented).isEmpty, "routes \(file) does not document: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "\(file) documents routes the router lacks: \(documented.subtracting(registered).sorted())")
        // Who may call each route: as its registration declares it, and no other way (the open kit routes aside).
        #expect(Set(declared.keys) == registered.subtracting(Self.kitRoutes),
                "routes registered without a declared access: \(registered.subtracting(Self.kitRoutes).subtracting(declared.keys).sorted())")
        for (route, roles) in declared.sorted(by: { $0.key < $1.key }) where operations[route] != nil {
            #expect(operations[route]! == roles, "\(file): \(route) has x-roles \(operations[route]! ?? []), its route declares \(roles)")
        }
        for route in Self.kitRoutes { #expect((operations[route] ?? nil) == nil, "\(file): \(route) is open to all, it names no x-roles") }
        await harness.cleanUp()
    }

    /// A registered route as the document names it: Hummingbird writes parameters as `:name` or `{name}`, OpenAPI as `{name}`.
    static func name(_ route: Router<ServiceRequestContext>.RouteDescription) -> String {
        let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
    }
}
