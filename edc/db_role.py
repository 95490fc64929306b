"""The audit trail's last wall is the database role (docs/DEPLOYMENT.md, "Roles: least privilege").

The history tables' append-only trigger binds the application only if the application's role can
neither switch it off nor bypass it: a superuser can (`SET session_replication_role = replica`),
and so can the tables' owner (`ALTER TABLE … DISABLE TRIGGER`, `TRUNCATE`). Production connects as
`edc_app`, which owns nothing; migrations run as `edc_owner`. `role_problems()` says when that is not
so; `manage.py health` reports it and `manage.py check --deploy` warns (edc.W001).
"""
from django.core import checks
from django.db import connection


def role_problems() -> list[str]:
    """What is wrong with the role this process connects as (empty list: least privilege)."""
    from edc.append_only import historical_tables

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        cursor.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() "
                       "AND tablename = ANY(%s) AND pg_has_role(current_user, tableowner, 'MEMBER')",
                       [historical_tables()])
        owned = cursor.fetchall()
    problems = []
    if superuser:
        problems.append(f"connected as {user}, a superuser: it can switch off the audit trail's "
                        "append-only trigger (connect as the application role, e.g. edc_app)")
    elif owned:
        problems.append(f"connected as {user}, owner of {len(owned)} history table(s) (e.g. {owned[0][0]}): "
                        "it can disable their trigger or truncate them (run only migrate as the owner)")
    return problems


@checks.register("database_role", deploy=True)
def check_database_role(app_configs=None, databases=None, **kwargs):
    """edc.W001 under `manage.py check --deploy`: the application's database role is too strong."""
    try:
        problems = role_problems()
    except Exception:  # no database to ask (building a release without one): health checks it at run time
        return []
    return [checks.Warning(p, hint="docs/DEPLOYMENT.md, 'Roles: least privilege'", id="edc.W001") for p in problems]
