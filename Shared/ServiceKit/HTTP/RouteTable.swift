import Hummingbird
import Synchronization

/// The routes a service's router has, for answers about the ones it has not: a known path
/// asked with another method is 405 with `Allow`, an unknown path 404 — both in the error body.
public final class RouteTable: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: String)]>([])

    public init() {}

    public func fill(from router: Router<ServiceRequestContext>) {
        let entries = router.routes.map { ($0.path.description.split(separator: "/"), $0.method.rawValue) }
        routes.withLock { $0 = entries }
    }

    /// A segment the router captures (`{ref}`, as Hummingbird writes `:ref`): it matches any segment.
    static func isCapture(_ segment: Substring) -> Bool { segment.hasPrefix("{") || segment.hasPrefix(":") || segment == "*" }

    /// The methods registered for a concrete path (captured segments match any segment).
    public func methods(for path: String) -> [String] {
        let asked = path.split(separator: "/")
        return routes.withLock { routes in
            routes.filter { route in
                route.segments.count == asked.count && zip(route.segments, asked).allSatisfy { Self.isCapture($0) || $0 == $1 }
            }.map(\.method)
        }
    }
}

public struct UnknownRouteMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    let table: RouteTable
    public init(_ table: RouteTable) { self.table = table }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Set(table.methods(for: request.uri.path)).sorted()
            guard !allowed.isEmpty else {
                throw APIError(.notFound, "not-found", "no route \(request.method) \(request.uri.path)")
            }
            throw APIError(.methodNotAllowed, "method-not-allowed", "\(request.uri.path) answers \(allowed.joined(separator: ", ")) only",
                           headers: [.allow: allowed.joined(separator: ", ")])
        }
    }
}
