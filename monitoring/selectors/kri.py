"""Compute the indicators with aggregate SQL: one query per indicator for every site, the trial and
thirteen time points, however many participants there are (docs/CENTRAL_MONITORING.md "Scale")."""
import json
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection

from crf import registry
from crf.models.conmeds import PROHIBITED_CATEGORIES
from edc.clinical.prednisone import MONTH6_BELOW_MG_DAY
from monitoring import charts
from monitoring.indicators import INDICATORS, Indicator
from randomization.services.bag_rules import shelf_life

from .scope import PRELUDE, Scope
from .sdv_items import sdv_items_sql
from .tables import tables

DOSE_TOLERANCE = 0.10  # protocol 1.3: 1×10⁶ cells/kg; ±10 % before the dose counts as off-protocol


@dataclass
class Value:
    value: float | None
    num: float
    den: float
    colour: str


@dataclass
class Result:
    indicator: Indicator
    overall: Value
    by_site: dict[int, Value] = field(default_factory=dict)
    trend: list[tuple[str, float | None]] = field(default_factory=list)  # oldest first

    @property
    def svg(self) -> str:
        amber, red = self.indicator.thresholds
        return charts.trend_svg(self.trend, amber=amber, red=red, title=str(self.indicator.label))

    @property
    def large_svg(self) -> str:
        amber, red = self.indicator.thresholds
        return charts.trend_svg(self.trend, amber=amber, red=red, title=str(self.indicator.label), large=True)


def visit_forms_sql() -> str:
    t = tables()
    return " UNION ALL ".join(
        f"SELECT participant_id, visit_id, id, created_at, '{c.key}'::text AS form_key"
        f" FROM {t['crf_' + c.key]} WHERE status = 'complete'" for c in registry.ordered() if not c.log)


def base_params(scope: Scope, plan) -> dict:
    params = scope.params()
    params.update({"prohibited": sorted(PROHIBITED_CATEGORIES), "prednisone_limit": MONTH6_BELOW_MG_DAY,
                   "dose_tolerance": DOSE_TOLERANCE, "shelf_life": shelf_life(),
                   "main_version": plan.current_main_consent_version,
                   "bio_version": plan.current_biospecimen_consent_version})
    return params


def items_sql(indicator: Indicator, plan) -> tuple[str, dict]:
    """The prelude and the indicator's items as the CTE `items`, with a `flag` per row: the rows the
    click-through lists (counted rows; for a median, rows beyond the amber threshold)."""
    t = tables()
    sdv_sql, extra = sdv_items_sql(plan) if "{sdv_items}" in indicator.items else ("", {})
    body = indicator.items.format(visit_forms=visit_forms_sql(), sdv_items=sdv_sql, **t)
    amber = indicator.thresholds[0]
    if indicator.median:
        flag = f"num > {float(amber)!r}"
    else:
        flag = "num > 0" if indicator.higher_is_worse else "(num = 0 AND den > 0)"
    sql = (PRELUDE.format(**t) + f", raw (site_id, participant_id, k, num, den, ref, obj, visit_id) AS ({body}),"
           f" items AS (SELECT raw.*, {flag} AS flag FROM raw)")
    return sql, extra


def _value(indicator: Indicator, num, den) -> Value:
    num, den = float(num or 0), float(den or 0)
    if indicator.median:
        value = None if not den else round(num, 1)
    elif not den:
        value = None
    else:
        value = round(100 * num / den, 1)
    return Value(value, num, den, indicator.colour(value))


def _aggregate(indicator: Indicator) -> tuple[str, str]:
    """The value's numerator and denominator over a group of items (a median: the median and the count)."""
    return (("percentile_cont(0.5) WITHIN GROUP (ORDER BY num)", "count(*)") if indicator.median
            else ("sum(num)", "sum(den)"))


def _result(indicator: Indicator, scope: Scope, rows) -> Result:
    """Rows (site_id, k, num, den); site_id None for the sites together."""
    overall_by_k = {k: _value(indicator, n, d) for site, k, n, d in rows if site is None}
    result = Result(indicator, overall_by_k.get(0) or _value(indicator, 0, 0))
    result.by_site = {site: _value(indicator, n, d) for site, k, n, d in rows if site is not None and k == 0}
    result.trend = [(scope.days[k].isoformat(), overall_by_k[k].value if k in overall_by_k else None)
                    for k in range(len(scope.days) - 1, -1, -1)]
    return result


def compute(indicator: Indicator, scope: Scope, plan, params: dict) -> Result:
    sql, extra = items_sql(indicator, plan)
    num, den = _aggregate(indicator)
    if indicator.median:
        sql += f" SELECT site_id, k, {num}, {den} FROM items GROUP BY GROUPING SETS ((site_id, k), (k))"
    else:  # summed per (site, k) first, then over the sites: each item updates one group, not two
        sql += (f" SELECT site_id, k, sum(num), sum(den) FROM (SELECT site_id, k, {num} AS num, {den} AS den"
                " FROM items GROUP BY site_id, k) g GROUP BY GROUPING SETS ((site_id, k), (k))")
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, **extra})
        rows = cursor.fetchall()
    return _result(indicator, scope, rows)


TREND_SECONDS = 6 * 3600  # past points change only with back-dated entries; today's value is always live


def _trend_key(scope: Scope, plan) -> str:
    sites = ",".join(str(s) for s in sorted(scope.site_ids))
    return f"monitoring:trend:{scope.today}:{plan.pk}:{plan.changed_at.timestamp()}:{sites}"


def with_trends(indicators, scope: Scope, plan) -> list[Result]:
    """Today's values, computed now; the trend (13 points) computed with them at most every
    TREND_SECONDS per set of sites and kept in the cache (docs/CENTRAL_MONITORING.md "Scale")."""
    key = _trend_key(scope, plan)
    cached = cache.get(key) or {}
    if all(i.code in cached for i in indicators):
        live = scope.today_only()
        params = base_params(live, plan)
        results = [compute(i, live, plan, params) for i in indicators]
        return [_with_cached_trend(r, cached, scope) for r in results]
    params = base_params(scope, plan)
    results = [compute(i, scope, plan, params) for i in indicators]
    cache.set(key, {**cached, **{r.indicator.code: r.trend for r in results}}, TREND_SECONDS)
    return results


def _with_cached_trend(result: Result, cached: dict, scope: Scope) -> Result:
    result.trend = cached[result.indicator.code][:-1] + [(scope.today.isoformat(), result.overall.value)]
    return result


def all_indicators(scope: Scope, plan) -> list[Result]:
    return with_trends(INDICATORS, scope, plan)


def indicator_page(indicator: Indicator, scope: Scope, plan, limit: int = 500) -> tuple[Result, list, list]:
    """One indicator's page: its result (today live, the trend from the cache when there) and what is
    behind it today (`drill_down`), today's values and the lists from one pass over the items."""
    cached = cache.get(_trend_key(scope, plan)) or {}
    if indicator.code not in cached:  # first visit of the day for these sites: the trend, computed once
        result = with_trends([indicator], scope, plan)[0]
        return (result, *drill_down(indicator, scope, plan, limit))
    totals, rows, people = _today(indicator, scope, plan, limit, with_totals=True)
    return _with_cached_trend(_result(indicator, scope.today_only(), totals), cached, scope), rows, people


def drill_down(indicator: Indicator, scope: Scope, plan, limit: int = 500) -> tuple[list[dict], list[dict]]:
    """Behind an indicator today: (the flagged rows, up to `limit`; per participant num and den)."""
    _totals, rows, people = _today(indicator, scope, plan, limit, with_totals=False)
    return rows, people


def _today(indicator: Indicator, scope: Scope, plan, limit: int, *, with_totals: bool):
    sql, extra = items_sql(indicator, plan)
    t = tables()
    params = {**base_params(scope.today_only(), plan), **extra, "limit": limit}  # k = 0 only
    agg = "sum(i.flag::int) AS num, count(*) AS den" if indicator.median else "sum(i.num) AS num, sum(i.den) AS den"
    num, den = _aggregate(indicator)
    totals = (f"""(SELECT coalesce(json_agg(json_build_array(a.site_id, 0, a.n, a.d)), '[]') FROM (
  SELECT site_id, {num} AS n, {den} AS d FROM today GROUP BY GROUPING SETS ((site_id), ())) a)"""
              if with_totals else "NULL")
    # One query, the items computed once (MATERIALIZED), the lists (and today's totals) as JSON. The
    # people are summed per participant before their codes are read (10,000 groups, not every item
    # sorted); the rows come from those people only: the first `limit` rows by participant code belong
    # to the first `limit` participants with a flagged row.
    both_sql = sql + f""", today AS MATERIALIZED (SELECT * FROM items WHERE k = 0),
people AS MATERIALIZED (
  SELECT i.participant_id, p.participant_code, p.site_id, i.num, i.den FROM (
    SELECT i.participant_id, {agg} FROM today i GROUP BY i.participant_id HAVING bool_or(i.flag)) i
  JOIN {t['participant']} p ON p.id = i.participant_id
  ORDER BY p.participant_code LIMIT %(limit)s)
SELECT (SELECT coalesce(json_agg(r), '[]') FROM (
  SELECT i.participant_id, pe.participant_code, s.name AS site, i.ref, i.obj, i.visit_id, v.code AS visit_code,
         i.num
  FROM today i JOIN people pe ON pe.participant_id = i.participant_id JOIN {t['site']} s ON s.id = pe.site_id
  LEFT JOIN {t['visit']} v ON v.id = i.visit_id
  WHERE i.flag ORDER BY pe.participant_code, v.month NULLS LAST, i.ref, i.obj LIMIT %(limit)s) r),
       (SELECT coalesce(json_agg(q), '[]') FROM (
  SELECT participant_id, participant_code, num, den FROM people ORDER BY participant_code) q), {totals}"""
    with connection.cursor() as cursor:
        cursor.execute(both_sql, params)
        raw_rows, raw_people, raw_totals = cursor.fetchone()
    raw_rows, raw_people, raw_totals = (json.loads(x) if isinstance(x, str) else x
                                        for x in (raw_rows, raw_people, raw_totals))
    return raw_totals, raw_rows, raw_people
