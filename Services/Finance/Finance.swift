import ServiceKit

/// Finance: what it does, one capability per folder beside this file.
public enum Finance {
    public static var spec: ServiceSpec {
        ServiceSpec(id: "finance", defaultPort: 8084, migrations: FinanceMigrations.all,
                    capabilities: [ReceivablesCapability(), LedgerCapability(), ContractsCapability()],
                    approvals: FinanceApprovals.book)
    }
}
