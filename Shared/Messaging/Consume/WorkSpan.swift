import Foundation
import Storage
import Synchronization
import Tracing

/// The span of one unit of work (a message handled, an HTTP command, a job run) through
/// swift-distributed-tracing: a child of the trace its cause came with, and linked to the first
/// trace seen for its correlation id (the order's) when that was another one, so a later command
/// about the same order leads back to the one that placed it. The events and answers the work
/// sends carry this span's context as their `traceparent`.
///
/// Without a tracer (no OTLP endpoint configured) there is no span: the work continues its
/// cause's trace with a span id of its own, as the headers and logs have always shown.
public final class WorkSpan: @unchecked Sendable {  // used on one thread: the transaction's
    private let span: (any Span)?
    /// The trace context the work's events and answers carry.
    public let trace: TraceContext

    private init(span: (any Span)?, trace: TraceContext) { self.span = span; self.trace = trace }

    private static let tracing = Atomic<Bool>(false)
    /// Whether spans are recorded (a tracer was bootstrapped for the process).
    public static var enabled: Bool { tracing.load(ordering: .relaxed) }
    /// Called once the process bootstrapped a tracer (`InstrumentationSystem.bootstrap`).
    public static func enable() { tracing.store(true, ordering: .relaxed) }

    /// Starts the span of work with `cause`, inside its transaction `tx` (where the correlation's
    /// first trace is looked up and, for a new correlation, kept). `parent` is the caller's span
    /// (an HTTP request's), else the cause's `traceparent` is.
    public static func start(_ name: String, kind: SpanKind, cause: Cause, parent: ServiceContext? = nil,
                             attributes: [String: String] = [:], tx: Transaction?) -> WorkSpan {
        guard enabled else { return WorkSpan(span: nil, trace: cause.trace?.child() ?? .fresh()) }
        let span = startSpan(name, context: parent ?? context(of: cause.trace), ofKind: kind)
        span.attributes["bizops.cause.id"] = cause.id
        span.attributes["bizops.cause.type"] = cause.type
        if let correlationId = cause.correlationId { span.attributes["bizops.correlation_id"] = correlationId }
        if let actor = cause.actor { span.attributes["bizops.actor"] = actor }
        for (key, value) in attributes { span.attributes[key] = value }
        let trace = traceContext(of: span.context) ?? cause.trace?.child() ?? .fresh()
        if let tx, let correlationId = cause.correlationId, !correlationId.isEmpty {
            linkToFirstTrace(span, trace: trace, correlationId: correlationId, tx: tx)
        }
        return WorkSpan(span: span, trace: trace)
    }

    /// The first trace of the correlation, when it is another one, becomes a link; a correlation
    /// seen for the first time keeps this trace as its first.
    private static func linkToFirstTrace(_ span: any Span, trace: TraceContext, correlationId: String, tx: Transaction) {
        do {
            // The SELECT sees the table as it was before the INSERT: only an earlier trace comes back.
            let rows = try tx.query("""
                WITH kept AS (INSERT INTO trace_roots (correlation_id, traceparent) VALUES ($1, $2) ON CONFLICT (correlation_id) DO NOTHING)
                SELECT traceparent FROM trace_roots WHERE correlation_id = $1
                """, [.text(correlationId), .text(trace.traceparent)])
            if let text = try rows.first?.string("traceparent"), let first = TraceContext(text), first.traceId != trace.traceId {
                var attributes = SpanAttributes()
                attributes["bizops.link"] = "first trace of correlation id \(correlationId)"
                span.addLink(SpanLink(context: context(of: first), attributes: attributes))
            }
        } catch {
            span.attributes["bizops.link.error"] = "\(error)"
        }
    }

    /// Notes how the work ended: a refusal or a retry is an outcome, anything else an error.
    public func ended(refusal: String? = nil, retryLater: String? = nil, error: (any Error)? = nil) {
        guard let span else { return }
        if let refusal { span.attributes["bizops.refusal.reason"] = refusal }
        if let retryLater { span.attributes["bizops.retry_later"] = retryLater }
        if let error {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
        }
        span.end()
    }

    /// Runs the work's body, then ends the span with how it went.
    public func run<T>(_ body: () throws -> T) throws -> T {
        do {
            let value = try body()
            ended()
            return value
        } catch let refusal as Refusal {
            ended(refusal: refusal.code.rawValue)
            throw refusal
        } catch let later as RetryLater {
            ended(retryLater: later.description)
            throw later
        } catch {
            ended(error: error)
            throw error
        }
    }

    // MARK: - W3C trace context in and out of the tracer

    /// The tracer's context for a `traceparent` (top level when there is none).
    public static func context(of trace: TraceContext?) -> ServiceContext {
        var context = ServiceContext.topLevel
        if let trace {
            InstrumentationSystem.instrument.extract([TraceContext.header: trace.traceparent], into: &context, using: HeaderMap())
        }
        return context
    }

    /// The `traceparent` of a tracer's context (nil without a tracer or a span in it).
    public static func traceContext(of context: ServiceContext) -> TraceContext? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: HeaderMap())
        return carrier[TraceContext.header].flatMap { TraceContext($0) }
    }

    private struct HeaderMap: Extractor, Injector {
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }
}
