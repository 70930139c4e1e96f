import ServiceKit

/// Logistics: what it does, one capability per folder beside this file.
public enum Logistics {
    public static var spec: ServiceSpec {
        ServiceSpec(id: "logistics", defaultPort: 8082, migrations: LogisticsMigrations.all,
                    capabilities: [StockCapability(), ShippingCapability(), ContractsCapability()],
                    approvals: LogisticsApprovals.book)
    }
}
