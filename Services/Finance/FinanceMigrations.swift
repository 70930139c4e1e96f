import ServiceKit
import Storage

enum FinanceMigrations {
    static let all = [
        Migration(100, "terms, receivables, payments, credit notes, journal", """
            CREATE TABLE terms (
                customer_code text PRIMARY KEY,
                kind text NOT NULL CHECK (kind IN ('prepaid', 'deposit', 'net')),
                deposit_percent bigint NOT NULL DEFAULT 0,
                net_days int NOT NULL DEFAULT 30
            );
            CREATE TABLE orders (
                order_ref text PRIMARY KEY,
                customer_code text NOT NULL,
                currency char(3),
                total bigint,
                lines jsonb,
                status text NOT NULL CHECK (status IN ('open', 'delivered', 'cancelled')),
                delivered_on date,
                correlation_id text
            );
            CREATE SEQUENCE invoice_number_seq;
            CREATE SEQUENCE credit_note_number_seq;
            CREATE TABLE invoices (
                number text PRIMARY KEY,
                order_ref text NOT NULL REFERENCES orders,
                customer_code text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('deposit', 'prepayment', 'final')),
                amount bigint NOT NULL CHECK (amount > 0),
                outstanding bigint NOT NULL CHECK (outstanding >= 0 AND outstanding <= amount),
                currency char(3) NOT NULL,
                issue_date date NOT NULL,
                due_date date NOT NULL,
                status text NOT NULL CHECK (status IN ('open', 'paid', 'void')),
                overdue_on date
            );
            CREATE INDEX invoices_order ON invoices (order_ref);
            CREATE INDEX invoices_open ON invoices (due_date) WHERE status = 'open';
            CREATE TABLE payments (
                bank_reference text PRIMARY KEY,
                amount bigint NOT NULL CHECK (amount > 0),
                currency char(3) NOT NULL,
                value_date date NOT NULL,
                invoice_number text,
                order_ref text,
                customer_code text,
                payer text,
                unallocated bigint NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE credit_notes (
                number text PRIMARY KEY,
                order_ref text NOT NULL,
                customer_code text NOT NULL,
                case_id uuid,
                return_id uuid UNIQUE,
                amount bigint NOT NULL CHECK (amount > 0),
                currency char(3) NOT NULL,
                issue_date date NOT NULL
            );
            CREATE TABLE allocations (
                id bigserial PRIMARY KEY,
                source text NOT NULL CHECK (source IN ('payment', 'credit-note')),
                source_ref text NOT NULL,
                invoice_number text NOT NULL REFERENCES invoices,
                amount bigint NOT NULL CHECK (amount > 0),
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE customer_credit (
                customer_code text NOT NULL,
                currency char(3) NOT NULL,
                balance bigint NOT NULL,
                PRIMARY KEY (customer_code, currency)
            );
            CREATE TABLE journal_entries (
                id bigserial PRIMARY KEY,
                entry_date date NOT NULL,
                memo text NOT NULL,
                reference text NOT NULL,
                currency char(3) NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE journal_lines (
                entry_id bigint NOT NULL REFERENCES journal_entries,
                account text NOT NULL,
                debit bigint NOT NULL DEFAULT 0 CHECK (debit >= 0),
                credit bigint NOT NULL DEFAULT 0 CHECK (credit >= 0)
            );
            CREATE INDEX journal_lines_entry ON journal_lines (entry_id);
            -- The books refuse an unbalanced entry at commit, whatever code wrote it.
            CREATE FUNCTION journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF (SELECT COALESCE(sum(debit), 0) <> COALESCE(sum(credit), 0) FROM journal_lines WHERE entry_id = NEW.entry_id) THEN
                    RAISE EXCEPTION 'journal entry % is not balanced', NEW.entry_id USING ERRCODE = '23514';
                END IF;
                RETURN NULL;
            END $$;
            CREATE CONSTRAINT TRIGGER journal_lines_balanced AFTER INSERT OR UPDATE ON journal_lines
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION journal_balanced();
            """),
        Migration(101, "customer credit is applied to new invoices", """
            ALTER TABLE allocations DROP CONSTRAINT allocations_source_check;
            ALTER TABLE allocations ADD CONSTRAINT allocations_source_check CHECK (source IN ('payment', 'credit-note', 'credit'));
            """),
        // Lists page by a keyset cursor: a number that only grows (existing rows get one too).
        Migration(102, "invoices in the order they were issued", """
            ALTER TABLE invoices ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX invoices_seq ON invoices (seq);
            CREATE INDEX invoices_customer_seq ON invoices (customer_code, seq);
            """),
        Migration(103, "every journal entries row says who: the unit of work's actor", """
            ALTER TABLE journal_entries ADD COLUMN actor text DEFAULT NULLIF(current_setting('bizops.actor', true), '');
            """),
        ContractReviewMigrations.table(104),
        Migration(105, "signed contracts' payment terms", """
            CREATE TABLE contracts (
                contract_no text PRIMARY KEY,
                revision bigint NOT NULL,
                customer_code text NOT NULL,
                currency char(3) NOT NULL,
                value bigint NOT NULL,
                payment_terms jsonb NOT NULL,
                valid_from date NOT NULL,
                valid_until date NOT NULL,
                signed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX contracts_customer ON contracts (customer_code);
            """),
        Migration(106, "an order under a contract is billed on the contract's terms", """
            ALTER TABLE orders ADD COLUMN contract_no text;
            """),
    ]
}
