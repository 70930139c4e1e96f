import Storage

enum CustomerServiceMigrations {
    static let all = [
        Migration(100, "orders seen, cases, revisits", """
            CREATE TABLE orders (
                order_ref text PRIMARY KEY,
                customer_code text NOT NULL,
                lines jsonb NOT NULL,
                delivered_on date,
                signed_by text
            );
            CREATE SEQUENCE case_number_seq;
            CREATE TABLE cases (
                id uuid PRIMARY KEY,
                number text NOT NULL UNIQUE,
                kind text NOT NULL DEFAULT 'complaint',
                channel text NOT NULL,
                order_ref text NOT NULL,
                customer_code text,
                category text NOT NULL,
                description text NOT NULL,
                contact text,
                routed_to text NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'return-authorised', 'resolved')),
                deadline timestamptz NOT NULL,
                resolution text,
                resolution_note text,
                return_id uuid,
                correlation_id text,
                opened_at timestamptz NOT NULL,
                resolved_at timestamptz
            );
            CREATE INDEX cases_status ON cases (status, deadline);
            CREATE TABLE case_log (
                id bigserial PRIMARY KEY,
                case_id uuid NOT NULL REFERENCES cases,
                entry text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE revisits (
                order_ref text PRIMARY KEY,
                customer_code text NOT NULL,
                due_on date NOT NULL,
                status text NOT NULL CHECK (status IN ('due', 'done')),
                satisfaction int CHECK (satisfaction BETWEEN 1 AND 5),
                note text,
                done_at timestamptz
            );
            """),
        Migration(101, "escalation of cases past their deadline", """
            ALTER TABLE cases ADD COLUMN escalated_at timestamptz;
            """),
        Migration(102, "what each return authorised, so an order is never returned twice", """
            ALTER TABLE cases ADD COLUMN return_lines jsonb;
            """),
        // Lists page by a keyset cursor: a number that only grows (existing rows get one too).
        Migration(103, "cases, revisits and orders in the order they came", """
            ALTER TABLE cases ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX cases_seq ON cases (seq);
            ALTER TABLE revisits ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX revisits_seq ON revisits (seq);
            ALTER TABLE orders ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX orders_seq ON orders (seq);
            """),
        Migration(104, "every case log row says who: the unit of work's actor", """
            ALTER TABLE case_log ADD COLUMN actor text DEFAULT NULLIF(current_setting('bizops.actor', true), '');
            """),
        Migration(105, "the customers as sales files them, kept from sales.customer.changed (the newest version wins)", """
            CREATE TABLE customers (
                code text PRIMARY KEY,
                version bigint NOT NULL,
                name text NOT NULL,
                stage text NOT NULL,
                classification text NOT NULL,
                key_account boolean NOT NULL,
                owner text,
                city text,
                contacts jsonb NOT NULL
            );
            """),
    ]
}
