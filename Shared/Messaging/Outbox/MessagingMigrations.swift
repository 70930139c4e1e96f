import Storage

/// The kit's own tables in every service schema: the outbox, the inbox, the refusal log, and
/// the trigger that wakes the relay. Service migrations use versions from 100 up.
public enum MessagingMigrations {
    public static func all(schema: String) -> [Migration] {
        [
            Migration(1, "outbox and inbox", """
                CREATE TABLE outbox (
                    id bigserial PRIMARY KEY,
                    message_id uuid NOT NULL UNIQUE,
                    exchange text NOT NULL,
                    routing_key text NOT NULL,
                    message_type text NOT NULL,
                    app_id text NOT NULL,
                    correlation_id text,
                    reply_to text,
                    headers jsonb NOT NULL DEFAULT '{}',
                    body text NOT NULL,
                    occurred_at timestamptz NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    sent_at timestamptz,
                    publish_note text
                );
                CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
                CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
                CREATE TABLE inbox (
                    message_id uuid PRIMARY KEY,
                    message_type text NOT NULL,
                    source text NOT NULL,
                    received_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX inbox_received_at ON inbox (received_at);
                CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('\(schema)_outbox', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
                    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
                """),
            // A command sent again under the same message_id gets the answers it got the first time.
            Migration(2, "outbox answers by the command they answer", """
                CREATE INDEX outbox_answers ON outbox ((headers->>'causation_id')) WHERE exchange = '';
                """),
            // Valid messages the business state refused: answered and kept here, never dead-lettered.
            Migration(3, "refusal log", """
                CREATE TABLE refusals (
                    id bigserial PRIMARY KEY,
                    message_id uuid NOT NULL,
                    message_type text NOT NULL,
                    routing_key text NOT NULL,
                    source text NOT NULL,
                    actor text,
                    correlation_id text,
                    reason_code text NOT NULL,
                    message text NOT NULL,
                    waited_ms bigint NOT NULL DEFAULT 0,
                    refused_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX refusals_refused_at ON refusals (refused_at);
                CREATE INDEX refusals_correlation ON refusals (correlation_id, id);
                """),
            // Answers leave through bizops.replies, which permissions govern, not the default exchange.
            Migration(4, "answers through bizops.replies", """
                UPDATE outbox SET exchange = 'bizops.replies' WHERE exchange = '';
                DROP INDEX outbox_answers;
                CREATE INDEX outbox_answers ON outbox ((headers->>'causation_id')) WHERE exchange = 'bizops.replies';
                """),
            // With spans exported: the first trace of each order or case, which the spans of later
            // work about it link to (WorkSpan).
            Migration(5, "first trace of each correlation id", """
                CREATE TABLE trace_roots (
                    correlation_id text PRIMARY KEY,
                    traceparent text NOT NULL,
                    first_seen_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX trace_roots_first_seen ON trace_roots (first_seen_at);
                """),
        ]
    }

    public static func notifyChannel(schema: String) -> String { "\(schema)_outbox" }
}
