"""Every number on the indicators page against an independent count (tests/monitoring/expected.py:
plain Python over the rows), on a synthetic trial at two sites: today, and at two past time points
of the trend; per site and trial-wide. And the SDV coverage and worklist against the same rows."""
import pytest

from edc import roles
from edc.models import Site
from monitoring import draws, services
from monitoring.indicators import BY_CODE, INDICATORS
from monitoring.selectors import kri, sdv
from monitoring.selectors.scope import scope_for
from synthetic.trial import generate
from tests import factories
from tests.monitoring.expected import Trial, expected, sdv_items

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["hashed live", "draws kept"])
def trial(request):
    generate(participants=30, seed=18, sites=2)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    plan = sdv.current_plan()
    services.change_plan(plan, user=monitor, reason="Consent version 1.1 approved; sample 30 %",
                         sample_rate_pct=30, current_main_consent_version="1.1",
                         current_biospecimen_consent_version="1.0")
    if request.param == "draws kept":  # as the nightly refresh leaves it (monitoring.draws)
        draws.refresh(sdv.current_plan())
    return monitor


def close(a, b) -> bool:
    return abs(float(a) - float(b)) < 1e-6 * max(1.0, abs(float(b)))


def test_every_indicator_equals_an_independent_count(trial):
    scope, sites = scope_for(trial)
    plan = sdv.current_plan()
    tr = Trial(scope.site_ids)
    params = kri.base_params(scope, plan)
    results = {i.code: kri.compute(i, scope, plan, params) for i in INDICATORS}
    bad = []
    for k in (0, 3, 9):
        bad += compare_at(k, results, tr, scope, plan)
    assert not bad, "\n".join(bad)
    nonzero = [c for c, r in results.items() if r.overall.num]
    assert len(nonzero) >= 8, nonzero  # the synthetic trial gives most indicators something to count


def compare_at(k, results, tr, scope, plan) -> list[str]:
    bad = []
    for indicator in INDICATORS:
        if indicator.code == "entry_lag_days" and k:
            continue  # its oldest window is not re-derived here; k = 0 covers the rule
        result = results[indicator.code]
        want = expected(indicator.code, tr, plan, scope.days[k], scope.ends[k], scope.starts[k])
        got = {None: result.overall} if k else {None: result.overall, **result.by_site}
        trend_value = result.trend[len(result.trend) - 1 - k][1]
        for site, value in got.items():
            num, den = want.get(site, [0, 0])
            if k == 0 and not (close(value.num, num) and close(value.den, den)):
                bad.append(f"{indicator.code} site {site}: {value.num}/{value.den} != {num}/{den}")
        num, den = want.get(None, [0, 0])
        wanted = (round(num, 1) if indicator.median else round(100 * num / den, 1)) if den else None
        if (trend_value is None) != (wanted is None) or (wanted is not None and abs(trend_value - wanted) > 0.051):
            bad.append(f"{indicator.code} k={k}: trend {trend_value} != {wanted}")
    return bad


def test_sdv_coverage_and_worklist_match_the_rows(trial):
    scope, _sites = scope_for(trial)
    plan = sdv.current_plan()
    items = sdv_items(Trial(scope.site_ids), plan)
    cov = {(c.site_id, c.form_key): c for c in sdv.coverage(scope, plan)}
    total = cov[(None, None)]
    assert total.total == len(items)
    assert total.planned == sum(1 for *_, planned in items if planned)
    assert total.verified == sum(1 for _p, _c, v, _cr, planned in items if planned and v is not None)
    assert total.critical == sum(1 for _p, _c, _v, critical, _pl in items if critical)
    work, count = sdv.worklist(scope, plan)
    assert count == total.planned - total.verified > 0
    assert [w["critical"] for w in work] == sorted((w["critical"] for w in work), reverse=True)


def test_the_indicator_page_gives_the_same_numbers_in_its_one_query(trial):
    """The page of one indicator reads today's values from the pass that lists what is behind them
    (kri.indicator_page): the same numbers as the indicators page, per site and trial-wide."""
    scope, _sites = scope_for(trial)
    plan = sdv.current_plan()
    dashboard = {r.indicator.code: r for r in kri.all_indicators(scope, plan)}  # the trends now cached
    for indicator in INDICATORS:
        result, _rows, _people = kri.indicator_page(indicator, scope, plan)
        want = dashboard[indicator.code]
        got = {None: result.overall, **result.by_site}
        for site, value in {None: want.overall, **want.by_site}.items():
            assert close(got[site].num, value.num) and close(got[site].den, value.den), (indicator.code, site)
        assert result.trend == want.trend, indicator.code


@pytest.mark.parametrize("code", ["sdv_backlog", "visit_missed", "query_age_14"])
def test_the_click_through_lists_are_the_first_of_the_whole_lists(trial, code):
    """The rows are read from the first participants only (kri._today): the same as the first rows of
    the untruncated list."""
    scope, _sites = scope_for(trial)
    plan = sdv.current_plan()
    rows, people = kri.drill_down(BY_CODE[code], scope, plan, limit=100_000)
    assert rows and people
    few_rows, few_people = kri.drill_down(BY_CODE[code], scope, plan, limit=7)
    assert few_rows == rows[:7] and few_people == people[:7]
