import Storage

enum SalesMigrations {
    static let all = [
        Migration(100, "customers, price list, orders", """
            CREATE TABLE customers (
                code text PRIMARY KEY,
                name text NOT NULL,
                currency char(3) NOT NULL,
                allows_price_override boolean NOT NULL DEFAULT false
            );
            CREATE TABLE products (sku text PRIMARY KEY, name text NOT NULL);
            CREATE TABLE price_tiers (
                sku text NOT NULL REFERENCES products,
                currency char(3) NOT NULL,
                min_quantity bigint NOT NULL CHECK (min_quantity > 0),
                unit_price bigint NOT NULL CHECK (unit_price > 0),
                PRIMARY KEY (sku, currency, min_quantity)
            );
            CREATE TABLE contract_prices (
                customer_code text NOT NULL REFERENCES customers,
                sku text NOT NULL REFERENCES products,
                unit_price bigint NOT NULL CHECK (unit_price > 0),
                PRIMARY KEY (customer_code, sku)
            );
            CREATE TABLE orders (
                id uuid PRIMARY KEY,
                order_ref text NOT NULL,
                customer_code text NOT NULL,
                status text NOT NULL,
                currency char(3),
                total bigint,
                lines jsonb NOT NULL,
                delivery_address jsonb NOT NULL,
                requested_delivery_date date,
                reason_code text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            -- A rejected order may be sent again under the same reference once it is fixed.
            CREATE UNIQUE INDEX orders_ref_live ON orders (order_ref) WHERE status <> 'rejected';
            CREATE INDEX orders_ref ON orders (order_ref);
            CREATE TABLE order_history (
                id bigserial PRIMARY KEY,
                order_id uuid NOT NULL REFERENCES orders,
                status text NOT NULL,
                event text NOT NULL,
                detail text,
                message_id uuid,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX order_history_order ON order_history (order_id);
            """),
        Migration(101, "order follow-up: paid flag, correlation id", """
            ALTER TABLE orders ADD COLUMN paid boolean NOT NULL DEFAULT false;
            ALTER TABLE orders ADD COLUMN correlation_id text;
            CREATE INDEX orders_status ON orders (status, updated_at);
            """),
        Migration(102, "cancellation waits for the warehouse", """
            ALTER TABLE orders ADD COLUMN cancel_reason text;
            ALTER TABLE orders ADD COLUMN cancel_reply_to text;
            """),
        Migration(103, "a waiting cancellation's answer names the command it answers", """
            ALTER TABLE orders ADD COLUMN cancel_message_id uuid;
            ALTER TABLE orders ADD COLUMN cancel_correlation_id text;
            """),
        Migration(104, "a waiting cancellation keeps its cause whole", """
            ALTER TABLE orders ADD COLUMN cancel_cause jsonb;
            UPDATE orders SET cancel_cause = jsonb_build_object(
                    'kind', 'message', 'id', COALESCE(cancel_message_id::text, gen_random_uuid()::text),
                    'type', 'order.cancel.v1', 'source', 'unknown', 'time', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                    'correlationId', cancel_correlation_id, 'replyTo', cancel_reply_to, 'routingKey', 'order.cancel')
                WHERE cancel_reason IS NOT NULL;
            -- cancel_reply_to, cancel_message_id and cancel_correlation_id are no longer written; they
            -- stay until every replica runs this version (a later migration drops them).
            """),
        // Lists page by a keyset cursor: a number that only grows (existing rows get one too).
        Migration(105, "orders in the order sales took them", """
            ALTER TABLE orders ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX orders_seq ON orders (seq);
            CREATE INDEX orders_customer_seq ON orders (customer_code, seq);
            """),
        Migration(106, "every order history row says who: the unit of work's actor", """
            ALTER TABLE order_history ADD COLUMN actor text DEFAULT NULLIF(current_setting('bizops.actor', true), '');
            """),
        // A sent version is what the customer holds: only its status may move afterwards.
        Migration(107, "quotes: versions of one negotiation", """
            CREATE TABLE quotes (
                quote_no text PRIMARY KEY,
                customer_code text NOT NULL REFERENCES customers,
                currency char(3) NOT NULL,
                owner text NOT NULL,
                status text NOT NULL,
                current_version int,
                seq bigserial UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX quotes_customer ON quotes (customer_code, seq);
            CREATE INDEX quotes_open ON quotes (status) WHERE status = 'open';
            CREATE TABLE quote_versions (
                quote_no text NOT NULL REFERENCES quotes,
                version int NOT NULL CHECK (version > 0),
                stage text NOT NULL,
                terms jsonb NOT NULL,
                valid_until date NOT NULL,
                discount bigint NOT NULL DEFAULT 0,
                note text,
                status text NOT NULL,
                approval_id uuid,
                asked_by text NOT NULL,
                asked_at timestamptz NOT NULL DEFAULT now(),
                sent_at timestamptz,
                PRIMARY KEY (quote_no, version)
            );
            CREATE FUNCTION quote_version_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.quote_no <> OLD.quote_no OR NEW.version <> OLD.version OR NEW.stage <> OLD.stage OR NEW.terms <> OLD.terms
                   OR NEW.valid_until <> OLD.valid_until OR NEW.discount <> OLD.discount OR NEW.note IS DISTINCT FROM OLD.note
                   OR NEW.asked_by <> OLD.asked_by OR NEW.asked_at <> OLD.asked_at THEN
                    RAISE EXCEPTION 'a quote version never changes once asked: send a new version';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER quote_versions_unchanged BEFORE UPDATE ON quote_versions FOR EACH ROW EXECUTE FUNCTION quote_version_unchanged();
            CREATE TRIGGER quote_versions_kept BEFORE DELETE ON quote_versions FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER quote_versions_no_truncate BEFORE TRUNCATE ON quote_versions FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        // A revision of a draft is what the reviewers saw: only the reviews move afterwards.
        Migration(108, "contracts: revisions of a draft, their reviews, the signature", """
            CREATE TABLE contracts (
                contract_no text PRIMARY KEY,
                quote_no text NOT NULL REFERENCES quotes,
                customer_code text NOT NULL,
                currency char(3) NOT NULL,
                owner text NOT NULL,
                status text NOT NULL,
                revision int NOT NULL DEFAULT 0,
                signed_by text,
                signed_at timestamptz,
                seq bigserial UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX contracts_quote ON contracts (quote_no);
            CREATE INDEX contracts_customer ON contracts (customer_code, seq);
            CREATE TABLE contract_revisions (
                contract_no text NOT NULL REFERENCES contracts,
                revision int NOT NULL CHECK (revision > 0),
                terms jsonb NOT NULL,
                value bigint NOT NULL,
                note text,
                asked_by text NOT NULL,
                asked_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (contract_no, revision)
            );
            CREATE TRIGGER contract_revisions_kept BEFORE UPDATE OR DELETE ON contract_revisions FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER contract_revisions_no_truncate BEFORE TRUNCATE ON contract_revisions FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            CREATE TABLE contract_reviews (
                contract_no text NOT NULL,
                revision int NOT NULL,
                reviewer text NOT NULL,
                outcome text NOT NULL,
                remarks text,
                reviewed_by text,
                carried_from int,
                message_id uuid,
                reviewed_at timestamptz,
                PRIMARY KEY (contract_no, revision, reviewer),
                FOREIGN KEY (contract_no, revision) REFERENCES contract_revisions
            );
            """),
        Migration(109, "an order names the contract or the quote that priced it", """
            ALTER TABLE orders ADD COLUMN contract_no text;
            ALTER TABLE orders ADD COLUMN quote_no text;
            CREATE INDEX orders_contract ON orders (contract_no) WHERE contract_no IS NOT NULL;
            """),
        // Customers filed before this start where their orders put them.
        Migration(110, "customer files: profile, owner, class, stage and timeline; visits", """
            ALTER TABLE customers ADD COLUMN tax_id text, ADD COLUMN city text, ADD COLUMN industry text,
                ADD COLUMN contacts jsonb NOT NULL DEFAULT '[]', ADD COLUMN needs text, ADD COLUMN purchase_intent text,
                ADD COLUMN source text, ADD COLUMN owner text, ADD COLUMN classification text NOT NULL DEFAULT 'target',
                ADD COLUMN key_account boolean NOT NULL DEFAULT false, ADD COLUMN stage text NOT NULL DEFAULT 'prospect',
                ADD COLUMN last_activity_at timestamptz NOT NULL DEFAULT now(), ADD COLUMN stage_changed_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN seq bigserial, ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
            CREATE UNIQUE INDEX customers_seq ON customers (seq);
            CREATE INDEX customers_tax_id ON customers (lower(trim(tax_id))) WHERE tax_id IS NOT NULL;
            CREATE INDEX customers_name ON customers (lower(trim(name)));
            CREATE INDEX customers_owner ON customers (owner, seq);
            UPDATE customers c SET
                stage = CASE WHEN n.live >= 3 THEN 'loyal' WHEN n.live >= 1 THEN 'relationship' ELSE c.stage END,
                classification = CASE WHEN n.live >= 1 THEN 'partner' ELSE c.classification END
            FROM (SELECT customer_code, count(*) AS live FROM orders WHERE status NOT IN ('rejected', 'cancelled') GROUP BY 1) n
            WHERE n.customer_code = c.code;
            CREATE TABLE customer_timeline (
                id bigserial PRIMARY KEY,
                customer_code text NOT NULL,
                kind text NOT NULL,
                reference text,
                detail text NOT NULL,
                actor text DEFAULT NULLIF(current_setting('bizops.actor', true), ''),
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX customer_timeline_customer ON customer_timeline (customer_code, id);
            CREATE TABLE visits (
                id bigserial PRIMARY KEY,
                customer_code text NOT NULL REFERENCES customers,
                salesperson text NOT NULL,
                planned_for date NOT NULL,
                purpose text NOT NULL,
                status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'done', 'cancelled')),
                visited_on date,
                outcome text,
                learnt text,
                next_step text,
                created_at timestamptz NOT NULL DEFAULT now(),
                logged_at timestamptz
            );
            CREATE INDEX visits_salesperson ON visits (salesperson, status, planned_for);
            CREATE INDEX visits_customer ON visits (customer_code, id);
            -- Every order belongs to a salesperson: the customer's owner when it came from an outside system.
            ALTER TABLE orders ADD COLUMN owner text;
            CREATE TABLE order_exceptions (
                id bigserial PRIMARY KEY,
                order_ref text NOT NULL,
                customer_code text NOT NULL,
                owner text,
                kind text NOT NULL CHECK (kind IN ('late', 'complaint', 'credit-hold')),
                detail text NOT NULL,
                raised_at timestamptz NOT NULL DEFAULT now(),
                escalated_to text,
                escalated_at timestamptz,
                resolved_at timestamptz
            );
            CREATE UNIQUE INDEX order_exceptions_open ON order_exceptions (order_ref, kind) WHERE resolved_at IS NULL;
            CREATE INDEX order_exceptions_owner ON order_exceptions (owner, id) WHERE resolved_at IS NULL;
            """),
        Migration(111, "a customer file's version, told with every change (sales.customer.changed)", """
            ALTER TABLE customers ADD COLUMN version bigint NOT NULL DEFAULT 0;
            """),
    ]
}
