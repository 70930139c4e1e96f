import ServiceKit

/// Sales: what it does, one capability per folder beside this file.
public enum Sales {
    public static var spec: ServiceSpec {
        ServiceSpec(id: "sales", defaultPort: 8081, migrations: SalesMigrations.all,
                    capabilities: [OrdersCapability(), CustomersCapability(), ProductsCapability(), QuotesCapability(),
                                   ContractsCapability(), FollowUpCapability()],
                    busDuties: [.sweepUnrouted], approvals: SalesApprovals.book)
    }
}
