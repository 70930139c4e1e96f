import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage
import Tracing

/// What a service's HTTP routes may use.
public struct ServiceEnvironment: Sendable {
    public let id: String
    public let pool: PostgresPool
    public let logger: Logger
    /// Verifies the bearer tokens of every request.
    public let auth: Authenticator

    public init(id: String, pool: PostgresPool, logger: Logger, auth: Authenticator) {
        self.id = id; self.pool = pool; self.logger = logger; self.auth = auth
    }

    /// Reads in one transaction on a database thread (the Store's read methods run inside).
    public func read<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        try await pool.transaction(body)
    }

    /// Runs work the service starts itself (an HTTP command, a job run) like a handler: state
    /// and events in one transaction, under a cause of its own.
    @discardableResult
    public func command<T: Sendable>(_ kind: Cause.Kind = .request, type: String = "http", correlationId: String? = nil,
                                     _ body: @escaping @Sendable (UnitOfWork) throws -> T) async throws -> T {
        let id = self.id, logger = self.logger
        let person = RequestActor.current
        // A job's run (PeriodicRunner) is work of its own, named for the job.
        let (kind, type) = JobRun.name.map { kind == .request && type == "http" ? (.job, "job \($0)") : (kind, type) } ?? (kind, type)
        let cause = Cause.local(kind, type, service: id, correlationId: correlationId, actor: person?.subject, roles: person?.roles,
                                trace: RequestTrace.current)
        // The request's span (TracingMiddleware's) is the parent; the transaction runs on another thread.
        let parent = WorkSpan.enabled ? ServiceContext.current : nil
        let spans = await WorkSpans.prepare(for: [correlationId], pool: pool)
        do {
            let value = try await pool.transaction { tx in
                spans.attempt()
                // What the token says of its person, kept so histories and reports can show them.
                if let person {
                    try ApprovalStore(tx: tx).remember(subject: person.subject, name: person.name, department: person.department,
                                                       team: person.team, manager: person.manager, roles: person.roles)
                }
                let span = spans.start(type, kind: .internal, cause: cause, parent: parent, attributes: ["bizops.service": id])
                return try span.run {
                    try body(UnitOfWork(transaction: tx, outbox: OutboxWriter(source: id, transaction: tx), cause: cause, logger: logger, span: span))
                }
            }
            spans.finish(committed: true)
            spans.keepFirstTracesLater(pool)
            return value
        } catch {
            spans.finish(committed: false)
            throw error
        }
    }
}

