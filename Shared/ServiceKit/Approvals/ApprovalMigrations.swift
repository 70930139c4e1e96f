import Storage

/// The kit's tables in every service's schema: the people it has seen, its authority limits
/// (every version kept), approval requests, the append-only decision log, and delegations.
public enum ApprovalMigrations {
    public static let all: [Migration] = [
        Migration(50, "people, authority limits, approval requests, decision log, delegations", """
            CREATE TABLE people (
                subject text PRIMARY KEY,
                name text,
                department text,
                team text,
                manager text,
                roles text[] NOT NULL DEFAULT '{}',
                first_seen timestamptz NOT NULL DEFAULT now(),
                last_seen timestamptz NOT NULL DEFAULT now());
            -- Every version of every rule: the current one is the newest row of (action, role).
            CREATE TABLE authority_limits (
                id bigserial PRIMARY KEY,
                action text NOT NULL,
                role text NOT NULL,
                limit_value bigint CHECK (limit_value IS NULL OR limit_value >= 0),
                unit text NOT NULL,
                set_by text NOT NULL,
                set_at timestamptz NOT NULL DEFAULT now(),
                note text);
            CREATE INDEX authority_limits_current ON authority_limits (action, role, id DESC);
            CREATE TABLE approval_requests (
                id uuid PRIMARY KEY,
                action text NOT NULL,
                subject text NOT NULL,
                amount bigint NOT NULL,
                unit text NOT NULL,
                summary text NOT NULL,
                payload jsonb NOT NULL,
                fingerprint text NOT NULL,
                requested_by text NOT NULL,
                requested_at timestamptz NOT NULL DEFAULT now(),
                approver_role text NOT NULL,
                rule_id bigint NOT NULL REFERENCES authority_limits (id),
                correlation_id text,
                status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'superseded')),
                decided_by text,
                on_behalf_of text,
                decided_at timestamptz,
                decision_rule_id bigint REFERENCES authority_limits (id),
                reason text,
                seq bigserial UNIQUE);
            -- One open request per action and document: asking again finds it.
            CREATE UNIQUE INDEX approval_requests_open ON approval_requests (action, subject) WHERE status = 'pending';
            CREATE INDEX approval_requests_pending ON approval_requests (approver_role, seq) WHERE status = 'pending';
            CREATE TABLE approval_log (
                id bigserial PRIMARY KEY,
                request_id uuid REFERENCES approval_requests (id),
                step text NOT NULL CHECK (step IN ('within-limit', 'requested', 'approved', 'rejected', 'superseded')),
                action text NOT NULL,
                subject text NOT NULL,
                amount bigint NOT NULL,
                actor text NOT NULL,
                on_behalf_of text,
                rule_id bigint REFERENCES authority_limits (id),
                limit_value bigint,
                reason text,
                at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE delegations (
                id bigserial PRIMARY KEY,
                delegator text NOT NULL,
                delegate text NOT NULL CHECK (delegate <> delegator),
                starts date NOT NULL,
                ends date NOT NULL CHECK (ends >= starts),
                note text,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX delegations_by_delegate ON delegations (delegate, starts, ends);
            -- Limits and the decision log are kept as written: no update, no delete, by anyone.
            CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
            END $$;
            CREATE TRIGGER authority_limits_append_only BEFORE UPDATE OR DELETE ON authority_limits
                FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER approval_log_append_only BEFORE UPDATE OR DELETE ON approval_log
                FOR EACH ROW EXECUTE FUNCTION append_only();
            """),
        Migration(51, "the limits and the decision log cannot be truncated either", """
            CREATE TRIGGER authority_limits_no_truncate BEFORE TRUNCATE ON authority_limits
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            CREATE TRIGGER approval_log_no_truncate BEFORE TRUNCATE ON approval_log
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        Migration(52, "a delegation ended early is kept, with who ended it and when", """
            ALTER TABLE delegations ADD COLUMN ended_at timestamptz, ADD COLUMN ended_by text;
            -- Who stood in for whom stays on record: a delegation is never deleted, and once
            -- written only its end may be set, once.
            CREATE FUNCTION delegations_end_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL OR NEW.ended_by IS NULL
                   OR (NEW.id, NEW.delegator, NEW.delegate, NEW.starts, NEW.ends, NEW.note, NEW.created_at)
                      IS DISTINCT FROM (OLD.id, OLD.delegator, OLD.delegate, OLD.starts, OLD.ends, OLD.note, OLD.created_at) THEN
                    RAISE EXCEPTION 'a delegation is kept as written; only its end is set, once';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER delegations_end_only BEFORE UPDATE ON delegations FOR EACH ROW EXECUTE FUNCTION delegations_end_only();
            CREATE TRIGGER delegations_kept BEFORE DELETE ON delegations FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER delegations_no_truncate BEFORE TRUNCATE ON delegations FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
    ]
}
