"""Detective control for writes that bypass the application (docs/DEPLOYMENT.md, "Database roles").

Every audited save writes the row and its history row with the same values (django-simple-history).
A row whose current values differ from its latest history row, or that has no history row at all,
was written by something else: a psql session, a script, a bulk UPDATE. `find_drift()` lists them;
`manage.py check_history` prints them (beat runs it daily, `manage.py health` fails on any).
It cannot say who did it, only that the audit trail no longer explains the row.
"""
from dataclasses import dataclass

from django.apps import apps
from django.db import connection

LIMIT_PER_MODEL = 100


@dataclass(frozen=True)
class Drift:
    model: str
    pk: str
    problem: str  # "no history" | "differs from history" | "deleted in history"


def audited_models() -> list:
    from simple_history.models import HistoricalChanges

    return sorted((m.instance_type for m in apps.get_models()
                   if issubclass(m, HistoricalChanges) and not m.instance_type._meta.abstract),
                  key=lambda m: m._meta.label)


def _columns(model) -> list[str]:
    history = model.history.model
    hist_columns = {f.column for f in history._meta.concrete_fields}
    return [f.column for f in model._meta.concrete_fields if f.column in hist_columns]


def drift_sql(model) -> str:
    q = connection.ops.quote_name
    table, history = q(model._meta.db_table), q(model.history.model._meta.db_table)
    pk = q(model._meta.pk.column)
    cols = [q(c) for c in _columns(model)]
    current = ", ".join(f"t.{c}" for c in cols)
    recorded = ", ".join(f"h.{c}" for c in cols)
    return (f"SELECT t.{pk}::text, CASE WHEN h.history_id IS NULL THEN 'no history' "
            f"WHEN h.history_type = '-' THEN 'deleted in history' ELSE 'differs from history' END "
            f"FROM {table} t LEFT JOIN LATERAL (SELECT * FROM {history} x WHERE x.{pk} = t.{pk} "
            f"ORDER BY x.history_date DESC, x.history_id DESC LIMIT 1) h ON true "
            f"WHERE h.history_id IS NULL OR h.history_type = '-' OR ROW({current}) IS DISTINCT FROM ROW({recorded}) "
            f"LIMIT {LIMIT_PER_MODEL}")


def find_drift() -> list[Drift]:
    out = []
    with connection.cursor() as cursor:
        for model in audited_models():
            cursor.execute(drift_sql(model))
            out += [Drift(model._meta.label, pk, problem) for pk, problem in cursor.fetchall()]
    return out
