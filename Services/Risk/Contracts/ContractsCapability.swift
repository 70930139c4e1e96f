import Contracts
import Messaging
import ServiceKit

/// Contracts as risk sees them: a draft's customer credit reviewed, and the reviews given.
struct ContractsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(ContractDrafted.self, RiskContracts.drafted)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ContractReviewAnswer.addRoutes(to: routes, env) }
}
