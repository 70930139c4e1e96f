import Contracts
import Messaging
import ServiceKit

/// Contracts as logistics sees them: the delivery terms of a draft reviewed, a signed contract's kept.
struct ContractsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(ContractDrafted.self, LogisticsContracts.drafted)
        handlers.on(ContractSigned.self, LogisticsContracts.signed)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ContractRoutes(env: env).add(to: routes) }
}
