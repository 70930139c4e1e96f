import ServiceKit
import Storage

enum RiskMigrations {
    static let all = [
        Migration(100, "credit profiles, orders and receivables as risk sees them", """
            CREATE TABLE credit_profiles (
                customer_code text PRIMARY KEY,
                credit_limit bigint NOT NULL CHECK (credit_limit >= 0),
                currency char(3) NOT NULL,
                rating char(1) NOT NULL CHECK (rating IN ('A', 'B', 'C', 'D')),
                on_hold boolean NOT NULL DEFAULT false,
                hold_reason text,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- People allowed to release holds.
            CREATE TABLE authorisers (name text PRIMARY KEY, title text NOT NULL);
            CREATE TABLE orders (
                order_ref text PRIMARY KEY,
                customer_code text NOT NULL,
                total bigint NOT NULL,
                currency char(3) NOT NULL,
                status text NOT NULL CHECK (status IN ('approved', 'held', 'rejected', 'cancelled')),
                reason_code text,
                decided_by text,
                correlation_id text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX orders_customer ON orders (customer_code, status);
            -- Receivables from finance's events; outstanding only ever goes down.
            CREATE TABLE invoices (
                invoice_number text PRIMARY KEY,
                order_ref text,
                customer_code text,
                amount bigint,
                outstanding bigint NOT NULL,
                overdue boolean NOT NULL DEFAULT false
            );
            CREATE INDEX invoices_customer ON invoices (customer_code);
            -- Every decision and rating change, for the credit file.
            CREATE TABLE credit_log (
                id bigserial PRIMARY KEY,
                customer_code text NOT NULL,
                order_ref text,
                action text NOT NULL,
                detail text NOT NULL,
                exposure bigint,
                by_whom text,
                at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(101, "exposure looks invoices up by order", """
            CREATE INDEX invoices_order ON invoices (order_ref);
            """),
        // Lists of orders page by a keyset cursor: a number that only grows (existing rows get one too).
        Migration(102, "orders in the order risk took them in", """
            ALTER TABLE orders ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX orders_seq ON orders (seq);
            CREATE INDEX orders_status_seq ON orders (status, seq);
            CREATE INDEX orders_customer_seq ON orders (customer_code, seq);
            """),
        Migration(103, "who may release holds comes from sign-in roles and authority limits", """
            DROP TABLE authorisers;
            """),
        ContractReviewMigrations.table(104),
    ]
}
