"""History tables are append-only in the database itself (docs/ARCHITECTURE.md rule 2).

Every django-simple-history table gets a row trigger that refuses UPDATE and DELETE, whoever sends
them (the application, a shell, a psql session). INSERT stays: each audited save adds its row.
TRUNCATE is not blocked: pytest-django's transactional tests empty tables with it, and it needs
the table owner's privilege, which the production application role should not hold.

Installed by migration edc 0004 for the tables that exist then, and again after every `migrate`
(post_migrate, edc.apps) for every historical model, so models added later are covered. Both are
idempotent: a table that has the trigger is left alone.

A later schema migration that must rewrite history rows (rare: e.g. filling a new NOT NULL
column) disables the trigger around its work in the migration itself:
`ALTER TABLE <table> DISABLE TRIGGER edc_history_append_only; ... ENABLE TRIGGER ...`.
"""
from django.db import connections

TRIGGER = "edc_history_append_only"
FUNCTION = "edc_refuse_history_change"

CREATE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'history rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;
"""


def historical_tables() -> list[str]:
    """The tables of every django-simple-history model in the app registry, and of every model that
    declares `append_only = True` (e.g. the read-access log, edc.models.access_log)."""
    from django.apps import apps
    from simple_history.models import HistoricalChanges

    return sorted({m._meta.db_table for m in apps.get_models()
                   if issubclass(m, HistoricalChanges) or getattr(m, "append_only", False)})


def guarded_tables(using: str = "default") -> set[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                       "WHERE t.tgname = %s AND NOT t.tgisinternal", [TRIGGER])
        return {row[0] for row in cursor.fetchall()}


def install(tables, using: str = "default") -> list[str]:
    """Add the trigger to each of `tables` that exists and lacks it; return the tables changed."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    missing = [t for t in tables if t in existing and t not in guarded_tables(using)]
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FUNCTION)
        for table in missing:
            name = connection.ops.quote_name(table)
            cursor.execute(f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {name} "
                           f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")
    return missing


def install_all(using: str = "default", **kwargs) -> list[str]:
    """post_migrate receiver: guard every historical model's table."""
    return install(historical_tables(), using=using)
