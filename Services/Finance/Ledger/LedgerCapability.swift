import ServiceKit

/// The books (总账): every money movement as a balanced journal entry, the journal and the trial balance.
struct LedgerCapability: Capability {
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { LedgerRoutes(env: env).add(to: routes) }
}
