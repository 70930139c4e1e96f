import ServiceKit

/// Customer service: what it does, one capability per folder beside this file.
public enum CustomerService {
    public static var spec: ServiceSpec {
        ServiceSpec(id: "customer_service", defaultPort: 8083, migrations: CustomerServiceMigrations.all,
                    capabilities: [ComplaintsCapability(), RevisitsCapability(), CustomersCapability()],
                    approvals: CustomerServiceApprovals.book)
    }
}
