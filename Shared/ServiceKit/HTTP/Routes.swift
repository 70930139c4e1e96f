import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Where a service registers its routes: each one with the `Access` it needs, so a route without a
/// declaration does not compile. The check runs inside the matched route, before its handler (and
/// before its body is read): 403 naming the roles; who the caller is, `AuthMiddleware` has said.
public struct Routes {
    let router: Router<ServiceRequestContext>
    let prefix: RouterPath
    /// The department's name in role names (`customer-service:staff`).
    public let department: String
    let declared: AccessTable

    init(_ router: Router<ServiceRequestContext>, department: String, declared: AccessTable, prefix: RouterPath = "") {
        self.router = router; self.department = department; self.declared = declared; self.prefix = prefix
    }

    /// The routes under a path (`/orders`), declared the same way.
    public func group(_ path: RouterPath) -> Routes {
        Routes(router, department: department, declared: declared, prefix: prefix.appendingPath(path))
    }

    public typealias Handler<Output: ResponseGenerator> = @Sendable (Request, ServiceRequestContext) async throws -> Output

    @discardableResult public func get(_ path: RouterPath = "", allow access: Access, use handler: @escaping Handler<some ResponseGenerator>) -> Self {
        on(path, .get, access, handler)
    }
    @discardableResult public func post(_ path: RouterPath = "", allow access: Access, use handler: @escaping Handler<some ResponseGenerator>) -> Self {
        on(path, .post, access, handler)
    }
    @discardableResult public func put(_ path: RouterPath = "", allow access: Access, use handler: @escaping Handler<some ResponseGenerator>) -> Self {
        on(path, .put, access, handler)
    }
    @discardableResult public func delete(_ path: RouterPath = "", allow access: Access, use handler: @escaping Handler<some ResponseGenerator>) -> Self {
        on(path, .delete, access, handler)
    }

    private func on<Output: ResponseGenerator>(_ path: RouterPath, _ method: HTTPRequest.Method, _ access: Access,
                                               _ handler: @escaping Handler<Output>) -> Self {
        let full = prefix.appendingPath(path), roles = access.roles(in: department)
        let route = "\(method.rawValue) \(full.description)"
        declared.add(route, roles)
        router.on(full, method: method) { request, context -> Output in
            try Self.authorise(route, roles, context)
            return try await handler(request, context)
        }
        return self
    }

    static func authorise(_ route: String, _ roles: [String], _ context: ServiceRequestContext) throws {
        guard let person = RequestActor.current else {
            throw APIError(.unauthorized, "unauthenticated", "sign in: send Authorization: Bearer <token>", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard person.roles.contains(where: roles.contains) else {
            context.logger.notice("request forbidden", metadata: ["subject": "\(person.subject)", "route": "\(route)"])
            throw APIError(.forbidden, "forbidden",
                           "\(route) needs one of the roles \(roles.joined(separator: ", ")); \(person.subject) has \(person.roles.isEmpty ? "none" : person.roles.joined(separator: ", "))")
        }
    }
}

/// Every route a service declared, with the roles it needs (`"POST /contracts/{contractNo}/legal-review"` →
/// `["legal"]`): what the tests hold against the router and the OpenAPI documents.
public final class AccessTable: Sendable {
    private let routes = Mutex<[String: [String]]>([:])
    public init() {}
    func add(_ route: String, _ roles: [String]) { routes.withLock { $0[route] = roles } }
    public var all: [String: [String]] { routes.withLock { $0 } }
}
