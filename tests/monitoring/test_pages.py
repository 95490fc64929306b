"""Central monitoring pages: who may use them (deny by default, site isolation), the audited plan
change and record verification with every bad input refused and nothing written, the fixed query
count whatever the trial's size, and the arm never read."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from edc import roles
from edc.models import Consent, Participant, Site
from monitoring.models import RecordVerification, SdvPlan
from monitoring.selectors import sdv
from synthetic.trial import generate
from tests import factories
from tests.fuzz.db import changed_tables, table_counts

pytestmark = pytest.mark.django_db
PAGES = ("monitoring_dashboard", "monitoring_plan", "monitoring_worklist")


def monitoring_urls():
    return [reverse(name) for name in PAGES] + [reverse("monitoring_indicator", args=["sdv_backlog"])]


@pytest.fixture
def small_trial():
    sdv.current_plan()  # made by migration; made again here after a browser test's flush of the tables
    generate(participants=6, seed=4, sites=2)
    return list(Site.objects.order_by("code"))


@pytest.mark.parametrize("role", [roles.MONITOR, roles.PRINCIPAL_INVESTIGATOR, roles.DATA_MANAGER])
def test_the_monitoring_roles_see_every_page(small_trial, client_for, role):
    client = client_for(factories.make_user(role, *small_trial))
    for url in monitoring_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        # strict CSP: no inline script (only <script src=...> files) and no inline style
        assert not re.search(rb"<script(?![^>]*\bsrc=)", response.content) and b"style=" not in response.content


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.COORDINATOR, roles.STATISTICIAN,
                                  roles.RANDOMIZATION_ADMIN, roles.PHARMACIST])
def test_other_roles_are_refused(small_trial, client_for, role):
    client = client_for(factories.make_user(role, *small_trial))
    for url in monitoring_urls():
        assert client.get(url).status_code == 403, url


def test_a_monitor_at_one_site_counts_only_that_site(small_trial, client_for):
    first, second = small_trial
    client = client_for(factories.make_user(roles.MONITOR, first))
    response = client.get(reverse("monitoring_indicator", args=["visit_missed"]))
    mine = set(Participant.objects.filter(site=first).values_list("participant_code", flat=True))
    shown = {p["participant_code"] for p in response.context["people"]}
    assert shown <= mine
    dashboard = client.get(reverse("monitoring_dashboard"))
    result = next(r for rs in dashboard.context["groups"].values() for r in rs
                  if r.indicator.code == "visit_missed")
    assert set(result.by_site) <= {first.pk}
    assert client.get(reverse("monitoring_dashboard") + f"?site={second.code}").status_code == 404
    worklist = client.get(reverse("monitoring_worklist"))
    assert {it["participant_code"] for it in worklist.context["items"]} <= mine
    assert client.post(reverse("monitoring_verify_record", args=[
        Participant.objects.filter(site=second, status="enrolled").first().pk]),
        {"kind": "consent_main", "object_id": Consent.objects.first().pk}).status_code == 404


def test_a_plan_change_is_audited_with_who_when_and_why(small_trial, client_for):
    monitor = factories.make_user(roles.MONITOR, *small_trial)
    client = client_for(monitor)
    response = client.post(reverse("monitoring_plan"), {
        "sample_rate_pct": "35", "lis_counts_as_verified": "on", "current_main_consent_version": "1.1",
        "current_biospecimen_consent_version": "", "reason_for_change": "Risk review: more vitals errors"})
    assert response.status_code == 302
    plan = sdv.current_plan()
    assert (plan.sample_rate_pct, plan.lis_counts_as_verified, plan.changed_by) == (35, True, monitor)
    last = plan.history.order_by("-history_date").first()
    assert last.history_user == monitor and last.history_change_reason == "Risk review: more vitals errors"
    page = client.get(reverse("monitoring_plan"))
    assert b"Risk review: more vitals errors" in page.content


@pytest.mark.parametrize("data, message", [
    ({"sample_rate_pct": "150", "reason_for_change": "typo"}, b"less than or equal to 100"),
    ({"sample_rate_pct": "-1", "reason_for_change": "typo"}, b"greater than or equal to 0"),
    ({"sample_rate_pct": "ten", "reason_for_change": "typo"}, b"Enter a whole number"),
    ({"sample_rate_pct": "30", "reason_for_change": ""}, b"This field is required"),
    ({"sample_rate_pct": "30", "reason_for_change": "x" * 501}, b"at most 500 characters"),
    ({"sample_rate_pct": "30", "reason_for_change": "ok", "current_main_consent_version": "v" * 21},
     b"at most 20 characters"),
])
def test_a_bad_plan_change_says_why_and_changes_nothing(small_trial, client_for, data, message):
    client = client_for(factories.make_user(roles.DATA_MANAGER, *small_trial))
    sdv.current_plan()
    before = table_counts()
    response = client.post(reverse("monitoring_plan"), data)
    assert response.status_code == 200 and message in response.content
    assert changed_tables(before, table_counts()) == {}
    assert sdv.current_plan().sample_rate_pct == 20


def test_the_pi_sees_the_plan_but_may_not_change_it(small_trial, client_for):
    client = client_for(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, *small_trial))
    assert b"Save the plan" not in client.get(reverse("monitoring_plan")).content
    before = table_counts()
    assert client.post(reverse("monitoring_plan"), {"sample_rate_pct": "90", "reason_for_change": "x"}
                       ).status_code == 403
    assert changed_tables(before, table_counts()) == {}


def test_the_monitor_verifies_a_consent_from_the_worklist(small_trial, client_for):
    monitor = factories.make_user(roles.MONITOR, *small_trial)
    client = client_for(monitor)
    consent = Consent.objects.filter(kind="main").first()
    url = reverse("monitoring_verify_record", args=[consent.participant_id])
    response = client.post(url, {"kind": "consent_main", "object_id": consent.pk})
    assert response.status_code == 302
    mark = RecordVerification.objects.get(object_id=consent.pk)
    assert mark.verified_by == monitor and mark.history.get().history_user == monitor
    items, _n = sdv.worklist(*_scope(monitor))
    assert consent.pk not in {it["object_id"] for it in items}


def _scope(user):
    from monitoring.selectors.scope import scope_for
    return scope_for(user)[0], sdv.current_plan()


@pytest.mark.parametrize("data", [
    {"kind": "consent_main", "object_id": "not-a-uuid"},
    {"kind": "visit", "object_id": "00000000-0000-0000-0000-000000000000"},
    {"kind": "consent_main", "object_id": "00000000-0000-0000-0000-000000000000"},
    {"kind": "consent_biospecimen", "object_id": "MAIN"},  # the main consent under the wrong kind
    {"kind": "consent_main", "object_id": "OTHER"},  # another participant's consent
    {},
])
def test_a_bad_verification_says_why_and_writes_nothing(small_trial, client_for, data):
    client = client_for(factories.make_user(roles.MONITOR, *small_trial))
    p = Participant.objects.filter(status="enrolled").first()
    main = p.consents.get(kind="main")
    other = Consent.objects.exclude(participant=p).filter(kind="main").first()
    data = {k: {"MAIN": main.pk, "OTHER": other.pk}.get(v, v) for k, v in data.items()}
    before = table_counts()
    response = client.post(reverse("monitoring_verify_record", args=[p.pk]), data, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert changed_tables(before, table_counts()) == {}


def test_a_record_is_verified_once_and_only_by_a_monitor(small_trial, client_for):
    p = Participant.objects.filter(status="enrolled").first()
    main = p.consents.get(kind="main")
    url = reverse("monitoring_verify_record", args=[p.pk])
    dm = client_for(factories.make_user(roles.DATA_MANAGER, *small_trial))
    assert dm.post(url, {"kind": "consent_main", "object_id": main.pk}).status_code == 403
    monitor = client_for(factories.make_user(roles.MONITOR, *small_trial))
    monitor.post(url, {"kind": "consent_main", "object_id": main.pk})
    before = table_counts()
    again = monitor.post(url, {"kind": "consent_main", "object_id": main.pk}, follow=True)
    assert b"already verified" in again.content and changed_tables(before, table_counts()) == {}


BUDGETS = (24, 7, 6, 6)  # dashboard, plan, worklist, one indicator


def page_queries(client) -> dict[str, int]:
    out = {}
    for url in monitoring_urls():
        client.get(url)  # warm: session, roles
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        out[url] = len(ctx)
        if url == reverse("monitoring_dashboard"):
            sql = " ".join(q["sql"] for q in ctx.captured_queries).lower()
            assert "allocationrow" not in sql and '"arm"' not in sql and " arm " not in sql  # never read
    return out


def test_the_query_count_does_not_grow_with_the_trial(client_for):
    generate(participants=4, seed=6, sites=2)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    client = client_for(monitor)
    small = page_queries(client)
    generate(participants=40, seed=7, sites=2, force=True)
    monitor.sites.set(Site.objects.all())
    big = page_queries(client)
    assert small == big
    # 19 indicators, one query each, plus user, roles, sites, plan, nav and inbox (the session is not
    # written: at most once a minute, edc.middleware, and the warm-up request just did)
    assert small == {url: n for url, n in zip(monitoring_urls(), BUDGETS, strict=True)}
    assert SdvPlan.objects.count() == 1

