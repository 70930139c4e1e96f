import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Tracing

/// The request context of every service's HTTP API: bodies are decoded by the same strict
/// contract rules as the bus (a 400 that names the field), answers encoded like messages
/// (ISO 8601 dates, sorted keys), and the request's correlation id rides on its logger.
public struct ServiceRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }

    public var requestDecoder: ContractRequestDecoder { ContractRequestDecoder() }
    public var responseEncoder: ContractResponseEncoder { ContractResponseEncoder() }
    /// Bodies past this are refused with 413 before they are read.
    public var maxUploadSize: Int { 1 << 20 }
}

public struct ContractRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        do {
            return try ContractRegistry.decodeStrict(T.self, from: Data(buffer.readableBytesView))
        } catch let error as ContractError {
            throw APIError(.badRequest, error.code.rawValue, error.message)
        }
    }
}

public struct ContractResponseEncoder: ResponseEncoder {
    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder.contracts.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A page of a list: at most `limit` items, oldest (or first) first, and the cursor of the next
/// page (`null` on the last one, never left out).
public struct Page<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    public let items: [Item]
    public let nextCursor: String?

    /// `fetched` holds up to `limit + 1` rows: one more than the page says there is a next.
    public init(_ fetched: [Item], limit: Int, cursor: (Item) -> String) {
        items = Array(fetched.prefix(limit))
        nextCursor = fetched.count > limit ? items.last.map(cursor) : nil
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}

/// Logs every request with its status, time and correlation id (`X-Correlation-Id`, which a
/// command carries on to the events it causes); health and metrics scrapes only at debug.
/// The trace of the request being served: the caller's `traceparent` continued, or a new one.
public enum RequestTrace {
    @TaskLocal public static var current: TraceContext?
}

/// Hummingbird's TracingMiddleware for the requests people and systems make: health checks and
/// `/metrics` scrapes, every few seconds from each prober, would be most of the spans and say nothing.
public struct RequestTracingMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    private let tracing = TracingMiddleware<ServiceRequestContext>()
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/health/") || path == "/metrics" { return try await next(request, context) }
        return try await tracing.handle(request, context: context, next: next)
    }
}

public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = ServiceRequestContext
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let correlation = request.headers[.init("X-Correlation-Id")!]
        if let correlation { context.logger[metadataKey: "correlation_id"] = "\(correlation)" }
        // W3C trace context: this request is a span of the caller's trace, and the events it causes continue it.
        // With a tracer, that span is TracingMiddleware's (it runs first); without, one of our own.
        let trace = (WorkSpan.enabled ? ServiceContext.current.flatMap(WorkSpan.traceContext(of:)) : nil)
            ?? request.headers[.init(TraceContext.header)!].flatMap { TraceContext($0) }?.child() ?? .fresh()
        context.logger[metadataKey: "trace_id"] = "\(trace.traceId)"
        return try await RequestTrace.$current.withValue(trace) {
            var response = try await logged(request, context: context, next: next)
            response.headers[.init(TraceContext.header)!] = trace.traceparent
            return response
        }
    }

    func logged(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let quiet = request.uri.path.hasPrefix("/health/") || request.uri.path == "/metrics"
        func log(_ status: Int) {
            let ms = (ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000
                + (ContinuousClock.now - started).components.seconds * 1000
            context.logger.log(level: quiet ? .debug : status >= 500 ? .error : .info, "\(request.method) \(request.uri.path) \(status)",
                               metadata: ["status": "\(status)", "ms": "\(ms)"])
        }
        do {
            let response = try await next(request, context)
            log(Int(response.status.code))
            return response
        } catch let error as HTTPResponseError {
            log(Int(error.status.code))
            throw error
        } catch {
            log(500)
            throw error
        }
    }
}
