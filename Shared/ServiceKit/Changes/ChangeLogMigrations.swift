import Storage

/// The change log's tables (every service has them): `master_changes` and `operator_actions`,
/// both append-only.
public enum ChangeLogMigrations {
    public static let all: [Migration] = [
        Migration(60, "the change log of master data", """
            CREATE TABLE master_changes (
                id bigserial PRIMARY KEY,
                kind text NOT NULL,
                key text NOT NULL,
                change jsonb NOT NULL,
                actor text NOT NULL,
                correlation_id text,
                changed_at timestamptz NOT NULL DEFAULT now());
            CREATE INDEX master_changes_by_key ON master_changes (kind, key, id);
            CREATE TRIGGER master_changes_append_only BEFORE UPDATE OR DELETE ON master_changes
                FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER master_changes_no_truncate BEFORE TRUNCATE ON master_changes
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        // Written by `bizctl dead replay|edit|purge` (as the database's admin), read through `GET /operator-actions`.
        Migration(61, "what operators did to the service's dead letters", """
            CREATE TABLE operator_actions (
                id bigserial PRIMARY KEY,
                action text NOT NULL CHECK (action IN ('replay', 'edit', 'purge')),
                operator text NOT NULL,
                queue text NOT NULL,
                message_ids text[] NOT NULL,
                filter text,
                detail jsonb NOT NULL DEFAULT '{}',
                at timestamptz NOT NULL DEFAULT now());
            CREATE TRIGGER operator_actions_append_only BEFORE UPDATE OR DELETE ON operator_actions
                FOR EACH ROW EXECUTE FUNCTION append_only();
            CREATE TRIGGER operator_actions_no_truncate BEFORE TRUNCATE ON operator_actions
                FOR EACH STATEMENT EXECUTE FUNCTION append_only();
            """),
        // `operator` is what bizctl was told; the database role that wrote the row is not up to it.
        Migration(62, "who wrote an operator action, as the database knows them", """
            ALTER TABLE operator_actions ADD COLUMN db_user text NOT NULL DEFAULT current_user;
            """),
    ]
}
