import Foundation
import Hummingbird
import Logging

/// The caller of the request being handled (set by `AuthMiddleware` for the handler's task),
/// so the unit of work and the refusal log record who did it.
public enum RequestActor {
    @TaskLocal public static var current: Person?
}

/// Every path but `/health/*` and `/metrics` needs a bearer token of the issuer (401 without a
/// valid one, so nobody signed out learns which paths exist), and a route one of the roles its
/// `AccessPolicy` names (403 naming them); a path no route answers is then left to
/// `UnknownRouteMiddleware` (404/405). Tokens are never logged, at any level.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let table: RouteTable
    let policy: AccessPolicy
    let authenticator: Authenticator

    public init(table: RouteTable, policy: AccessPolicy, authenticator: Authenticator) {
        self.table = table; self.policy = policy; self.authenticator = authenticator
    }

    public static func isOpen(_ path: String) -> Bool { path == "/metrics" || path.hasPrefix("/health/") }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.isOpen(path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
              case let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError(.unauthorized, "unauthenticated", "sign in: send Authorization: Bearer <token of \(authenticator.config.issuer)>",
                           headers: [.wwwAuthenticate: "Bearer"])
        }
        let person: Person
        do { person = try await authenticator.authenticate(token) } catch let refused as Authenticator.Refused {
            context.logger.notice("sign-in refused", metadata: ["reason": "\(refused.description)", "path": "\(path)"])
            throw APIError(.unauthorized, "unauthenticated", refused.description, headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
        }
        guard let route = table.route(for: path, method: request.method.rawValue) else {
            return try await RequestActor.$current.withValue(person) { try await next(request, context) }
        }
        let needed = policy.roles(method: request.method.rawValue, route: route)
        guard person.roles.contains(where: needed.contains) else {
            context.logger.notice("request forbidden", metadata: ["subject": "\(person.subject)", "path": "\(path)"])
            throw APIError(.forbidden, "forbidden",
                           "\(request.method.rawValue) \(route) needs one of the roles \(needed.joined(separator: ", ")); \(person.subject) has \(person.roles.isEmpty ? "none" : person.roles.joined(separator: ", "))")
        }
        return try await RequestActor.$current.withValue(person) { try await next(request, context) }
    }
}
