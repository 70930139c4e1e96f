import Foundation
import ServiceKit

/// Following customers up: visits planned and logged, late orders flagged, exceptions escalated,
/// quiet customers stepped back.
struct FollowUpCapability: Capability {
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { FollowUpRoutes(env: env).add(to: routes) }

    /// Late orders flagged, open exceptions escalated, quiet customers a stage back: every 5 minutes.
    var jobs: [PeriodicJob] {
        [PeriodicJob("follow-up", every: .seconds(300)) { env in
            _ = try await env.command { work in try FollowUpDesk.run(asOf: Date(), work) }
        }]
    }
}
