import ServiceKit
import Storage

enum LogisticsMigrations {
    static let all = [
        Migration(100, "warehouses, stock, movement ledger, orders, shipments, returns", """
            CREATE TABLE warehouses (
                code text PRIMARY KEY,
                name text NOT NULL,
                branch text NOT NULL,
                priority int NOT NULL DEFAULT 100
            );
            CREATE TABLE stock (
                warehouse text NOT NULL REFERENCES warehouses,
                sku text NOT NULL,
                on_hand bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
                reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
                quarantine bigint NOT NULL DEFAULT 0 CHECK (quarantine >= 0),
                reorder_point bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (warehouse, sku)
            );
            -- Every change of stock, so stock is never created or lost: the sums of the deltas
            -- per warehouse and SKU equal the stock row.
            CREATE TABLE movements (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                warehouse text NOT NULL,
                sku text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('receipt', 'reserve', 'release', 'dispatch', 'return', 'quarantine', 'adjust')),
                on_hand_delta bigint NOT NULL DEFAULT 0,
                reserved_delta bigint NOT NULL DEFAULT 0,
                quarantine_delta bigint NOT NULL DEFAULT 0,
                order_ref text,
                reference text
            );
            CREATE INDEX movements_sku ON movements (warehouse, sku, id);
            CREATE TABLE receipts (reference text PRIMARY KEY, warehouse text NOT NULL, sku text NOT NULL,
                                   quantity bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE orders (
                order_ref text PRIMARY KEY,
                customer_code text NOT NULL,
                warehouse text,
                status text NOT NULL CHECK (status IN ('reserved', 'backordered', 'dispatched', 'delivered', 'cancelled')),
                delivery_address jsonb,
                correlation_id text,
                accepted_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE order_lines (
                order_ref text NOT NULL REFERENCES orders ON DELETE CASCADE,
                sku text NOT NULL,
                quantity bigint NOT NULL CHECK (quantity > 0),
                reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= quantity),
                PRIMARY KEY (order_ref, sku)
            );
            CREATE TABLE shipments (
                id uuid PRIMARY KEY,
                order_ref text NOT NULL UNIQUE REFERENCES orders,
                carrier text,
                tracking_number text,
                dispatched_at timestamptz NOT NULL,
                signed_by text,
                signed_at timestamptz,
                delivery_note text
            );
            CREATE TABLE returns (
                id uuid PRIMARY KEY,
                case_id uuid NOT NULL,
                order_ref text NOT NULL,
                lines jsonb NOT NULL,
                status text NOT NULL CHECK (status IN ('expected', 'received')),
                condition text,
                inspected_by text,
                received_at timestamptz
            );
            """),
        Migration(101, "advance invoices that must be paid before dispatch", """
            -- Finance's deposit and prepayment invoices, as far as the warehouse cares: goods do
            -- not leave while one is unpaid. Keyed by invoice, so events may come in any order.
            CREATE TABLE advance_invoices (
                invoice_number text PRIMARY KEY,
                order_ref text NOT NULL,
                paid boolean NOT NULL DEFAULT false
            );
            CREATE INDEX advance_invoices_order ON advance_invoices (order_ref) WHERE NOT paid;
            """),
        Migration(102, "finance clears each order for dispatch", """
            CREATE TABLE cleared_orders (
                order_ref text PRIMARY KEY,
                reason text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            """),
        // Lists page by a keyset cursor: a number that only grows (existing rows get one too).
        Migration(103, "stock rows and returns in the order they came", """
            ALTER TABLE stock ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX stock_seq ON stock (seq);
            ALTER TABLE returns ADD COLUMN seq bigserial;
            CREATE UNIQUE INDEX returns_seq ON returns (seq);
            CREATE INDEX movements_order ON movements (order_ref, id);
            """),
        Migration(104, "every movements row says who: the unit of work's actor", """
            ALTER TABLE movements ADD COLUMN actor text DEFAULT NULLIF(current_setting('bizops.actor', true), '');
            """),
        Migration(105, "a receipt keeps the purchase order it came under", """
            ALTER TABLE receipts ADD COLUMN purchase_order text;
            """),
        ContractReviewMigrations.table(106),
        Migration(107, "signed contracts' delivery terms", """
            CREATE TABLE contracts (
                contract_no text PRIMARY KEY,
                revision bigint NOT NULL,
                customer_code text NOT NULL,
                delivery jsonb NOT NULL,
                lines jsonb NOT NULL,
                valid_from date NOT NULL,
                valid_until date NOT NULL,
                signed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX contracts_customer ON contracts (customer_code);
            """),
    ]
}
