import Foundation
import Logging
import Messaging
import ServiceLifecycle
import Storage

/// Work a service does on a clock (the daily collections run, escalating late cases). Safe
/// with replicas as long as the job itself is (each job's SQL only acts on rows not yet done).
public struct PeriodicJob: Sendable {
    public let name: String
    /// Default interval; `JOB_<NAME>_SECONDS` overrides it, 0 turns the job off.
    public let every: Duration
    public let run: @Sendable (ServiceEnvironment) async throws -> Void

    public init(_ name: String, every: Duration, _ run: @escaping @Sendable (ServiceEnvironment) async throws -> Void) {
        self.name = name; self.every = every; self.run = run
    }

    /// The variable that sets its interval: `JOB_<NAME>_SECONDS`.
    public var variable: String { "JOB_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_SECONDS" }
}

/// The job whose run is in progress (for the cause and span its work gets).
public enum JobRun {
    @TaskLocal public static var name: String?
}

/// Runs the jobs one after another on their intervals until shutdown. A failed run is
/// logged and tried again at the next tick; it never stops the service.
final class PeriodicRunner: Service, Sendable {
    let jobs: [PeriodicJob]
    /// Seconds per job name from the configuration (0: off); a job not named keeps its default.
    let intervals: [String: Double]
    let environment: ServiceEnvironment
    let logger: Logger

    init(jobs: [PeriodicJob], intervals: [String: Double], environment: ServiceEnvironment, logger: Logger) {
        self.jobs = jobs; self.intervals = intervals; self.environment = environment; self.logger = logger
    }

    func run() async throws {
        let clock = ContinuousClock()
        var due: [(job: PeriodicJob, interval: Duration, next: ContinuousClock.Instant)] = jobs.compactMap { job in
            var interval = job.every
            if let seconds = intervals[job.name] {
                guard seconds > 0 else {
                    logger.info("periodic job turned off", metadata: ["job": "\(job.name)"])
                    return nil
                }
                interval = .milliseconds(Int(seconds * 1000))
            }
            // First run shortly after start-up, once the consumer is going.
            return (job, interval, clock.now + .seconds(5))
        }
        while !Task.isShuttingDownGracefully && !Task.isCancelled && !due.isEmpty {
            for index in due.indices where due[index].next <= clock.now {
                let job = due[index].job
                do {
                    try await JobRun.$name.withValue(job.name) { try await job.run(environment) }
                } catch {
                    logger.error("periodic job failed; it runs again at the next tick", metadata: ["job": "\(job.name)", "error": "\(error)"])
                }
                due[index].next = clock.now + due[index].interval
            }
            // Until the next one is due, or a shutdown begins.
            if let next = due.map(\.next).min() {
                await pause((next - clock.now).totalSeconds)
            }
        }
        // Returning early would stop the whole service group: with every job off, just wait.
        if due.isEmpty { try? await gracefulShutdown() }
    }
}
