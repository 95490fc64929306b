-- Least privilege for the application's database role (docs/DEPLOYMENT.md, "PostgreSQL").
--
-- Two roles: edc_owner owns the schema and runs `manage.py migrate` (DDL); edc_app is what gunicorn
-- and Celery connect as: read and write rows, nothing else (no DDL, no TRUNCATE, no triggers, cannot
-- ALTER a table to disable a trigger because it owns none). Run as edc_owner (or a superuser)
-- after EVERY migrate; it is idempotent:
--
--   psql "postgres://edc_owner@db.internal:5432/edc" -v ON_ERROR_STOP=1 -f docs/deploy/grants.sql
--
-- Change the role names below if yours differ.

GRANT CONNECT ON DATABASE edc TO edc_app;
GRANT USAGE ON SCHEMA public TO edc_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO edc_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO edc_app;
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM edc_app;

-- Tables created by later migrations get the same rights without waiting for this script.
ALTER DEFAULT PRIVILEGES FOR ROLE edc_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO edc_app;
ALTER DEFAULT PRIVILEGES FOR ROLE edc_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO edc_app;

-- The audit trail is append-only for the application (ARCHITECTURE.md rule 2): django-simple-history
-- only ever INSERTs into the historical* tables, so the application may not change or remove a row.
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables
             WHERE schemaname = 'public' AND tablename ~ '^[a-z_]+_historical[a-z_]+$' LOOP
        EXECUTE format('REVOKE UPDATE, DELETE ON public.%I FROM edc_app', t.tablename);
    END LOOP;
END $$;
