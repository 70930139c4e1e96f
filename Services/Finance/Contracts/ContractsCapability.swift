import Contracts
import Messaging
import ServiceKit

/// Contracts as finance sees them: the payment terms of a draft reviewed, a signed contract's kept.
struct ContractsCapability: Capability {
    func handle(_ handlers: inout HandlerRegistry) {
        handlers.on(ContractDrafted.self, FinanceContracts.drafted)
        handlers.on(ContractSigned.self, FinanceContracts.signed)
    }

    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ContractRoutes(env: env).add(to: routes) }
}
