import Storage

/// The table each department that reviews contract drafts keeps (`ContractReviewAnswer`).
public enum ContractReviewMigrations {
    /// The table each reviewing department keeps (one migration in each).
    public static func table(_ number: Int) -> Migration {
        Migration(number, "the answers given to contract drafts", """
            CREATE TABLE contract_reviews (
                contract_no text NOT NULL,
                revision bigint NOT NULL,
                customer_code text NOT NULL,
                outcome text NOT NULL CHECK (outcome IN ('approved', 'rejected')),
                remarks text NOT NULL,
                reviewed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (contract_no, revision)
            );
            """)
    }
}
