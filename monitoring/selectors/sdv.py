"""The monitor's worklist and the coverage figures, both read from the plan's items
(monitoring.selectors.sdv_items): the same relation the SDV indicators count."""
from dataclasses import dataclass

from django.db import connection

from monitoring.models import SdvPlan

from .scope import PRELUDE, Scope
from .sdv_items import sdv_items_sql
from .tables import tables

WORKLIST_LIMIT = 200


def current_plan() -> SdvPlan:
    """The plan in force: the one row, made with the defaults the first time it is asked for."""
    plan = SdvPlan.objects.order_by("pk").first()
    if plan is None:
        plan = SdvPlan(sample_rate_pct=20)
        plan._change_reason = "Default plan"
        plan.save()
    return plan


@dataclass(frozen=True)
class Coverage:
    site_id: int | None
    form_key: str | None
    planned: int
    verified: int
    critical: int
    critical_verified: int
    total: int  # complete forms and records, in the plan or not

    @property
    def pct(self) -> float | None:
        return round(100 * self.verified / self.planned, 1) if self.planned else None

    @property
    def critical_pct(self) -> float | None:
        return round(100 * self.critical_verified / self.critical, 1) if self.critical else None


def _run(scope: Scope, plan, tail: str, extra: dict | None = None) -> list[tuple]:
    sdv_sql, params = sdv_items_sql(plan)
    sql = PRELUDE.format(**tables()) + ", sp AS (SELECT id, site_id FROM pp OFFSET 0)," \
        f" s AS (SELECT x.*, sp.site_id FROM ({sdv_sql}) x JOIN sp ON sp.id = x.participant_id) " + tail
    with connection.cursor() as cursor:
        cursor.execute(sql, {**scope.params(), **params, **(extra or {})})
        return cursor.fetchall()


def coverage(scope: Scope, plan) -> list[Coverage]:
    """Planned and verified items by site, by form, and in all (site_id and form_key None)."""
    # Counted once per (site, form), then summed to the site, form and trial totals: each of the
    # ~770,000 items at 10,000 participants updates one group, not three.
    rows = _run(scope, plan, """
SELECT site_id, form_key, sum(planned), sum(verified), sum(critical), sum(critical_verified), sum(total)
FROM (SELECT site_id, form_key, count(*) FILTER (WHERE in_plan) AS planned,
             count(*) FILTER (WHERE in_plan AND verified_at IS NOT NULL) AS verified,
             count(*) FILTER (WHERE critical) AS critical,
             count(*) FILTER (WHERE critical AND verified_at IS NOT NULL) AS critical_verified, count(*) AS total
      FROM s GROUP BY site_id, form_key) g
GROUP BY GROUPING SETS ((site_id), (form_key), ())""")
    return [Coverage(site, form, *(int(n) for n in counts)) for site, form, *counts in rows]


def worklist(scope: Scope, plan, limit: int = WORKLIST_LIMIT) -> tuple[list[dict], int]:
    """Planned items still to verify, critical first, oldest first; and how many there are."""
    t = tables()
    # The page's 200 picked first (a top-N sort; the total counted from the same rows), then named
    # (participant, site, visit): those joins run for the 200 only.
    rows = _run(scope, plan, f"""
, u AS MATERIALIZED (SELECT s.participant_id, s.form_key, s.visit_id, s.object_id, s.created_at, s.critical,
                            s.site_id FROM s WHERE s.in_plan AND s.pending),
w AS (SELECT u.*, (SELECT count(*) FROM u) AS total FROM u
      ORDER BY u.critical DESC, u.created_at, u.object_id LIMIT %(limit)s)
SELECT w.participant_id, p.participant_code, st.name, w.form_key, w.visit_id, v.code, w.object_id,
       w.created_at, w.critical, w.total
FROM w JOIN {t['participant']} p ON p.id = w.participant_id JOIN {t['site']} st ON st.id = w.site_id
LEFT JOIN {t['visit']} v ON v.id = w.visit_id
ORDER BY w.critical DESC, w.created_at, w.object_id""", {"limit": limit})
    cols = ("participant_id", "participant_code", "site", "form_key", "visit_id", "visit_code", "object_id",
            "created_at", "critical")
    return [dict(zip(cols, r[:-1], strict=True)) for r in rows], (rows[0][-1] if rows else 0)
