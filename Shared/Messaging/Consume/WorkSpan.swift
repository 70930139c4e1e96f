import Foundation
import Storage
import Synchronization
import Tracing

/// The span of one unit of work (a message handled, an HTTP command, a job run) through
/// swift-distributed-tracing: a child of the trace its cause came with, and linked to the first
/// trace this service saw for its correlation id (the order's) when that was another one, so a
/// later command about the same order leads back to where the order began here. The events and
/// answers the work sends carry this span's context as their `traceparent`.
///
/// Without a tracer (no OTLP endpoint configured) there is no span and no extra SQL: the work
/// continues its cause's trace with a span id of its own, as the headers and logs always show.
public final class WorkSpan: Sendable {
    fileprivate let span: (any Span)?
    /// The trace context the work's events and answers carry.
    public let trace: TraceContext

    fileprivate init(span: (any Span)?, trace: TraceContext) { self.span = span; self.trace = trace }

    private static let tracing = Atomic<Bool>(false)
    /// Whether spans are recorded (a tracer was bootstrapped for the process).
    public static var enabled: Bool { tracing.load(ordering: .relaxed) }
    /// Called once the process bootstrapped a tracer (`InstrumentationSystem.bootstrap`).
    public static func enable() { tracing.store(true, ordering: .relaxed) }

    /// Notes how the work went (a refusal or a retry is an outcome, anything else an error); the
    /// span ends once its transaction committed or rolled back (`WorkSpans.finish`).
    public func note(refusal: String? = nil, retryLater: String? = nil, error: (any Error)? = nil) {
        guard let span else { return }
        if let refusal { span.attributes["bizops.refusal.reason"] = refusal }
        if let retryLater { span.attributes["bizops.retry_later"] = retryLater }
        if let error {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
        }
    }

    /// How long the message's own handler took: the span lasts until its batch's commit, its
    /// batch mates' work included.
    public func note(handlerTook took: Duration) {
        span?.attributes["bizops.handler_seconds"] = took.totalSeconds
    }

    /// Runs the work's body and notes how it went.
    public func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let refusal as Refusal {
            note(refusal: refusal.code.rawValue)
            throw refusal
        } catch let later as RetryLater {
            note(retryLater: later.description)
            throw later
        } catch {
            note(error: error)
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

/// The spans of one batch (or one command) across its transaction's attempts: started inside
/// the transaction, ended once it committed or rolled back, so a span says whether its work
/// stayed. The first traces of the correlation ids are read before the transaction (one query)
/// and the new ones written after it in the background: nothing of tracing runs inside the
/// work's transaction, where it could fail or lock it.
public final class WorkSpans: @unchecked Sendable {  // used by one task at a time, on either side of its transaction
    private var firstTraces: [String: TraceContext]
    private var open: [WorkSpan] = []
    private var newRoots: [(correlationId: String, traceparent: String)] = []
    private var keptRoots: [(correlationId: String, traceparent: String)] = []

    private init(firstTraces: [String: TraceContext]) { self.firstTraces = firstTraces }

    /// For work about `correlationIds`: with tracing on, their first traces are read now.
    public static func prepare(for correlationIds: [String?], pool: PostgresPool) async -> WorkSpans {
        let ids = Array(Set(correlationIds.compactMap { $0 }.filter { !$0.isEmpty }))
        guard WorkSpan.enabled, !ids.isEmpty else { return WorkSpans(firstTraces: [:]) }
        let found = (try? await pool.run { try TraceRootStore($0).roots(ids) }) ?? [:]
        return WorkSpans(firstTraces: found)
    }

    /// Starts the span of work with `cause`. `parent` is the caller's span (an HTTP request's),
    /// else the cause's `traceparent` is.
    public func start(_ name: String, kind: SpanKind, cause: Cause, parent: ServiceContext? = nil,
                      attributes: @autoclosure () -> [String: String] = [:]) -> WorkSpan {
        guard WorkSpan.enabled else { return WorkSpan(span: nil, trace: cause.trace?.child() ?? .fresh()) }
        let span = startSpan(name, context: parent ?? WorkSpan.context(of: cause.trace), ofKind: kind)
        span.attributes["bizops.cause.id"] = cause.id
        span.attributes["bizops.cause.type"] = cause.type
        if let actor = cause.actor { span.attributes["bizops.actor"] = actor }
        for (key, value) in attributes() { span.attributes[key] = value }
        let trace = WorkSpan.traceContext(of: span.context) ?? cause.trace?.child() ?? .fresh()
        if let correlationId = cause.correlationId, !correlationId.isEmpty {
            span.attributes["bizops.correlation_id"] = correlationId
            if let first = firstTraces[correlationId] {
                if first.traceId != trace.traceId {
                    var attributes = SpanAttributes()
                    attributes["bizops.link"] = "first trace of correlation id \(correlationId)"
                    span.addLink(SpanLink(context: WorkSpan.context(of: first), attributes: attributes))
                }
            } else if span.isRecording {
                firstTraces[correlationId] = trace  // batch mates about the same order link to it
                newRoots.append((correlationId, trace.traceparent))
            }
        }
        let work = WorkSpan(span: span, trace: trace)
        open.append(work)
        return work
    }

    /// Ends the spans of the attempt that just ended: committed, or rolled back (its work
    /// undone; it may run again, with new spans).
    public func finish(committed: Bool) {
        for work in open {
            guard let span = work.span else { continue }
            if !committed { span.attributes["bizops.rolled_back"] = true }
            span.end()
        }
        open = []
        if committed { keptRoots += newRoots } else {
            for root in newRoots { firstTraces[root.correlationId] = nil }
        }
        newRoots = []
    }

    /// A transaction about to run (again): what a previous attempt started was rolled back.
    public func attempt() { if !open.isEmpty { finish(committed: false) } }

    /// Keeps the first traces of the committed work, best effort and in the background (one
    /// statement, outside any transaction; another replica's row for the same id wins, and that
    /// is as good), so acknowledgements and answers do not wait for it.
    public func keepFirstTracesLater(_ pool: PostgresPool) {
        guard !keptRoots.isEmpty else { return }
        let roots = keptRoots.sorted { $0.correlationId < $1.correlationId }  // one order: no deadlock between replicas
        keptRoots = []
        Task { await Self.keep(roots, pool) }
    }

    private static func keep(_ roots: [(correlationId: String, traceparent: String)], _ pool: PostgresPool) async {
        _ = try? await pool.run { try TraceRootStore($0).keep(roots) }
    }
}
