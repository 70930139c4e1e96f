import Foundation
import Hummingbird
import Logging

/// The caller of the request being handled (set by `AuthMiddleware` for the handler's task),
/// so the unit of work and the refusal log record who did it.
public enum RequestActor {
    @TaskLocal public static var current: Person?
}

/// Every path but `/health/*` and `/metrics` needs a bearer token of the issuer (401 without a
/// valid one, so nobody signed out learns which paths exist); the matched route then checks the
/// roles it declared (`Routes`, 403 naming them), and a path no route answers is left to
/// `UnknownRouteMiddleware` (404/405). Tokens are never logged, at any level.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let authenticator: Authenticator

    public init(authenticator: Authenticator) { self.authenticator = authenticator }

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
        return try await RequestActor.$current.withValue(person) { try await next(request, context) }
    }
}
