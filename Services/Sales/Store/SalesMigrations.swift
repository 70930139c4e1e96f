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
    ]
}
