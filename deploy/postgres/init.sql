-- BizOps database bootstrap. Idempotent: safe to run any number of times.
--
-- Run by a superuser against database `bizops`:
--   * locally by deploy/local/infra.sh (psql -v ON_ERROR_STOP=1 -f init.sql)
--   * in containers by the postgres image (/docker-entrypoint-initdb.d/, first boot only)
--
-- Each service owns exactly one schema, named like the service id, and logs in as a
-- role of the same name that can use no other service's schema.
-- All passwords are the development password `bizops-dev`.

-- Admin role used by tests (creates scratch schemas). infra.sh creates it before the
-- database so the database can be owned by it; here we only make sure it exists.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'bizops') THEN
        CREATE ROLE bizops SUPERUSER LOGIN PASSWORD 'bizops-dev';
    END IF;
END
$$;

-- Nobody gets anything in `public` by default (PG15 already drops CREATE; this drops USAGE too).
REVOKE ALL ON SCHEMA public FROM PUBLIC;

-- The departments' ids, from deploy/services.txt (the rest of this file reads only this setting).
-- generated:services (by `make generate`)
SELECT set_config('bizops.services', 'sales,logistics,customer_service,finance,risk', false);
-- end generated:services

-- One login role + one schema per service.
DO $$
DECLARE
    svc text;
BEGIN
    FOREACH svc IN ARRAY string_to_array(current_setting('bizops.services'), ',') LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = svc) THEN
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', svc, 'bizops-dev');
        END IF;
        -- Enforce the expected attributes even if the role pre-existed.
        EXECUTE format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                       svc, 'bizops-dev');

        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, svc);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', svc, svc);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', svc);

        EXECUTE format('ALTER ROLE %I SET search_path TO %I', svc, svc);
    END LOOP;
END
$$;

-- No service role may use another service's schema (nor be a member of another service role).
DO $$
DECLARE
    svcs  text[] := string_to_array(current_setting('bizops.services'), ',');
    grantee text;
    other text;
BEGIN
    FOREACH grantee IN ARRAY svcs LOOP
        FOREACH other IN ARRAY svcs LOOP
            CONTINUE WHEN grantee = other;
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM %I', other, grantee);
            IF EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m
                       WHERE m.roleid = other::regrole AND m.member = grantee::regrole) THEN
                EXECUTE format('REVOKE %I FROM %I', other, grantee);
            END IF;
        END LOOP;
    END LOOP;

    -- Fail loudly if anything still leaks (e.g. via a membership granted by hand).
    FOREACH grantee IN ARRAY svcs LOOP
        FOREACH other IN ARRAY svcs LOOP
            CONTINUE WHEN grantee = other;
            IF has_schema_privilege(grantee, other, 'USAGE') OR has_schema_privilege(grantee, other, 'CREATE') THEN
                RAISE EXCEPTION 'role % still has privileges on schema %', grantee, other;
            END IF;
        END LOOP;
        IF has_schema_privilege(grantee, 'public', 'USAGE') THEN
            RAISE EXCEPTION 'role % still has USAGE on schema public', grantee;
        END IF;
    END LOOP;
END
$$;
