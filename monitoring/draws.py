"""The kept draws of the SDV sample (docs/CENTRAL_MONITORING.md "Scale").

md5 of every non-critical form on every page was most of the cost at 10,000 participants (~650,000
forms, about a microsecond each). The draw of a form never changes — its id and the plan's key are
fixed — so `refresh()` (Celery beat, nightly; `manage.py refresh_sample_draws`) keeps it in
monitoring.SampleDraw, and `sql()` gives, per form table, the expression the SDV items use:

    the form was created before the table's `drawn_before` and the table is still complete
    (its forms created before then number `drawn`: none was added back-dated since)
        -> its kept draw decides;
    otherwise (a form created since, a back-dated load, another key, never filled)
        -> the draw is computed live (monitoring.sampling).

Either way the answer is monitoring.sampling's; tests/monitoring/test_draws.py holds the numbers to the
same independent count with and without kept draws, after new and back-dated forms.
"""
from django.db import connection, transaction

from crf import registry
from monitoring import sampling

from .models import SampleDraw, SampleDrawState

MARGIN_SECONDS = 300


def _tables() -> dict[str, str]:
    return {t.key: t.model._meta.db_table for t in registry.ordered()}


def sql(form_key: str, table: str, alias: str = "f") -> tuple[str, str]:
    """(a LEFT JOIN clause bringing the kept draw below the threshold as `sd_<key>`, the condition
    'in the sample' for a row of `table` aliased `alias`). Parameters: sampling.sql_params and
    %(sampling_threshold)s."""
    draws = SampleDraw._meta.db_table
    d = f"sd_{form_key}"
    join = (f" LEFT JOIN (SELECT object_id FROM {draws} WHERE form_key = '{form_key}'"
            f" AND draw < %(sampling_threshold)s) {d} ON {d}.object_id = {alias}.id")
    usable = _usable(form_key, table)
    live = sampling.sql_condition(f"{alias}.id")
    return join, (f"(CASE WHEN {alias}.created_at < {usable} THEN {d}.object_id IS NOT NULL"
                  f" ELSE {live} END)")


def _usable(form_key: str, table: str) -> str:
    """One row of state, read once per query (an InitPlan): the time before which the kept draws
    decide; NULL (never filled, another key, a form added back-dated since) when they must not."""
    return (f"(SELECT s.drawn_before FROM {SampleDrawState._meta.db_table} s WHERE s.form_key = '{form_key}'"
            f" AND s.key_md5 = md5(%(sampling_key)s)"
            f" AND s.drawn = (SELECT count(*) FROM {table} c WHERE c.created_at < s.drawn_before))")


def trusted(plan) -> dict[str, bool]:
    """Per form table: are its kept draws read (True) or is every draw computed live (False)?"""
    out = {}
    with connection.cursor() as cursor:
        for form_key, table in _tables().items():
            cursor.execute(f"SELECT {_usable(form_key, table)} IS NOT NULL", {"sampling_key": f"{plan.sampling_key}:"})
            out[form_key] = cursor.fetchone()[0]
    return out


def refresh(plan) -> dict[str, int]:
    """Keep the draw of every form created until MARGIN_SECONDS ago (only those not kept yet are
    hashed); returns the forms kept per table. Serialized by an advisory lock: runs never interleave."""
    key = f"{plan.sampling_key}:"
    out = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('monitoring.draws'))")
        # kept up to a few minutes ago: a form saved just before by a web machine whose clock is a
        # little behind the database's, or in a transaction still open, is hashed live, not missed
        cursor.execute("SELECT md5(%s), now() - %s * interval '1 second'", [key, MARGIN_SECONDS])
        key_md5, now = cursor.fetchone()
        for form_key, table in _tables().items():
            stale = SampleDrawState.objects.filter(form_key=form_key).exclude(key_md5=key_md5).exists()
            if stale:  # another key: every kept draw of the table is wrong
                SampleDraw.objects.filter(form_key=form_key).delete()
            cursor.execute(
                f"INSERT INTO {SampleDraw._meta.db_table} (object_id, form_key, draw)"
                f" SELECT f.id, %(form_key)s, ('x' || left(md5(%(key)s || f.id::text), {sampling.HEX_DIGITS}))"
                f"::bit({sampling.HEX_DIGITS * 4})::bigint FROM {table} f WHERE f.created_at < %(now)s"
                f" AND NOT EXISTS (SELECT 1 FROM {SampleDraw._meta.db_table} d WHERE d.object_id = f.id)",
                {"form_key": form_key, "key": key, "now": now})
            cursor.execute(f"SELECT count(*) FROM {SampleDraw._meta.db_table} WHERE form_key = %s", [form_key])
            out[form_key] = cursor.fetchone()[0]
            SampleDrawState.objects.update_or_create(
                form_key=form_key, defaults={"drawn_before": now, "drawn": out[form_key], "key_md5": key_md5})
    return out


def refresh_now() -> dict[str, int]:
    from monitoring.selectors.sdv import current_plan
    return refresh(current_plan())

