import ServiceKit

/// Risk: what it does, one capability per folder beside this file.
public enum Risk {
    public static var spec: ServiceSpec {
        ServiceSpec(id: "risk", defaultPort: 8085, migrations: RiskMigrations.all,
                    capabilities: [CreditCapability(), ContractsCapability()], approvals: RiskApprovals.book)
    }
}
