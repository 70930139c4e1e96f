import Messaging
import Storage

/// One thing a department does (its orders, quotes, stock, receivables…), in a folder of its own
/// under the department with its handlers, routes, store and jobs, and registered through this one
/// protocol: its department's `ServiceSpec` lists its capabilities beside its migrations and its book of authority limits.
/// Its pure rules stay in the department's `Domain` target.
public protocol Capability: Sendable {
    /// The commands and events it handles (their routing keys become its service's bindings).
    func handle(_ handlers: inout HandlerRegistry)
    /// Its HTTP routes, each with the roles it needs.
    func routes(_ routes: Routes, _ env: ServiceEnvironment)
    /// What it does on the clock.
    var jobs: [PeriodicJob] { get }
    /// Gauges of its own state, sampled from the schema (`/metrics`); nil: none.
    var gauges: BusinessGauges? { get }
    /// What deciding each approval request it asks for does (its department's book lists the actions).
    var approvalOutcomes: [ApprovalOutcome] { get }
}

extension Capability {
    public func handle(_ handlers: inout HandlerRegistry) {}
    public func routes(_ routes: Routes, _ env: ServiceEnvironment) {}
    public var jobs: [PeriodicJob] { [] }
    public var gauges: BusinessGauges? { nil }
    public var approvalOutcomes: [ApprovalOutcome] { [] }
}
