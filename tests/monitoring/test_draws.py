"""Kept draws of the SDV sample (monitoring.draws, docs/CENTRAL_MONITORING.md "Scale"): the same
sample as hashing every form live — after the nightly refresh, after forms added since, and after
forms added back-dated (a bulk load), which the kept draws must not be trusted for."""
import pytest

from edc import roles
from edc.models import Site
from monitoring import draws, sampling, services
from monitoring.indicators import BY_CODE
from monitoring.models import SampleDraw, SampleDrawState
from monitoring.selectors import kri, sdv
from monitoring.selectors.scope import scope_for
from synthetic.trial import generate
from tests import factories
from tests.monitoring.expected import Trial, sdv_items

pytestmark = pytest.mark.django_db


def numbers(monitor) -> tuple:
    """What the pages show of the sample: coverage per site and form, the worklist's total, and the
    SDV backlog today."""
    scope, _sites = scope_for(monitor)
    plan = sdv.current_plan()
    cov = {(c.site_id, c.form_key): (c.planned, c.verified, c.critical, c.total) for c in sdv.coverage(scope, plan)}
    live = scope.today_only()
    backlog = kri.compute(BY_CODE["sdv_backlog"], live, plan, kri.base_params(live, plan))
    return cov, sdv.worklist(scope, plan)[1], (backlog.overall.num, backlog.overall.den)


def expected_planned(monitor) -> int:
    scope, _sites = scope_for(monitor)
    return sum(1 for *_, planned in sdv_items(Trial(scope.site_ids), sdv.current_plan()) if planned)


def test_kept_draws_give_the_live_sample_and_are_not_trusted_after_a_back_dated_load():
    generate(participants=12, seed=21, sites=2)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    plan = sdv.current_plan()
    services.change_plan(plan, user=monitor, reason="Sample 30 %", sample_rate_pct=30)
    live = numbers(monitor)  # nothing kept yet: every form hashed live

    kept = draws.refresh(sdv.current_plan())
    assert sum(kept.values()) == SampleDraw.objects.count() > 100
    for row in SampleDraw.objects.all()[:50]:
        assert row.draw == sampling.draw(plan.sampling_key, row.object_id)
    assert all(draws.trusted(plan).values())
    assert numbers(monitor) == live  # the kept draws decide: the same sample
    assert numbers(monitor)[0][(None, None)][0] == expected_planned(monitor)

    # a bulk load writes forms dated in the past: the counts no longer match, the draw is computed live
    generate(participants=6, seed=22, sites=2, force=True)
    monitor.sites.set(Site.objects.all())
    trusted = draws.trusted(plan)
    assert not trusted["vitals"] and not trusted["labs"]  # tables with new back-dated forms (not e.g. biopsy)
    after = numbers(monitor)
    assert after[0][(None, None)][0] == expected_planned(monitor)
    assert after != live

    draws.refresh(sdv.current_plan())  # the next night: kept again, the same numbers
    assert all(draws.trusted(plan).values())
    assert numbers(monitor) == after


def test_another_key_is_never_read_from_kept_draws():
    generate(participants=6, seed=23, sites=1)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    draws.refresh(sdv.current_plan())
    before = numbers(monitor)
    SampleDrawState.objects.update(key_md5="0" * 32)  # as if kept under another key
    assert not any(draws.trusted(sdv.current_plan()).values())
    assert numbers(monitor) == before
    draws.refresh(sdv.current_plan())  # replaced under the plan's key
    assert set(SampleDrawState.objects.values_list("key_md5", flat=True)) != {"0" * 32}
    assert numbers(monitor) == before


def test_forms_created_since_the_refresh_are_drawn_live():
    """As the day goes on, forms created after the night's refresh have no kept draw: the kept ones
    decide for the older forms and the new ones are hashed live."""
    from crf import registry

    generate(participants=12, seed=24, sites=1)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    live = numbers(monitor)
    draws.refresh(sdv.current_plan())
    # as if the refresh had run before the newest third of the forms was created
    for crf_type in registry.ordered():
        times = sorted(crf_type.model.objects.values_list("created_at", flat=True))
        if not times:
            continue
        cut = times[len(times) * 2 // 3]
        newer = crf_type.model.objects.filter(created_at__gte=cut).values_list("pk", flat=True)
        SampleDraw.objects.filter(object_id__in=list(newer)).delete()
        SampleDrawState.objects.filter(form_key=crf_type.key).update(
            drawn_before=cut, drawn=SampleDraw.objects.filter(form_key=crf_type.key).count())
    assert draws.trusted(sdv.current_plan())["vitals"]
    assert numbers(monitor) == live
