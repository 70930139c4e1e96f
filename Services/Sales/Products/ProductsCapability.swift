import ServiceKit

/// The products and their price list (quantity tiers per currency).
struct ProductsCapability: Capability {
    func routes(_ routes: Routes, _ env: ServiceEnvironment) { ProductRoutes(env: env).add(to: routes) }
}
