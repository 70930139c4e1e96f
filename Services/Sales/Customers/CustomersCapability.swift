import ServiceKit

/// Customer files (客户档案): terms of sale, contract prices, the file's profile and stage, its timeline.
struct CustomersCapability: Capability {
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { CustomerRoutes(env: env).add(to: routes) }
}
