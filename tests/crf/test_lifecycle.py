"""Lifecycle status (crf/lifecycle.py): the pure rule, and the SQL annotation pinned equal to it on
participants made through the real services at every stage; the participant list filters and sorts
by it with a fixed number of queries."""
import itertools
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crf import lifecycle as lc
from crf.services.visits import record_missed, record_visit_date
from edc.clinical.dates import add_months
from edc.models import Participant
from edc.services.screening import record_screen_failure
from tests import factories
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db


def rule(**facts):
    base = dict(screening_status="enrolled", randomized=True, infused=True, treatment_visit_closed=False,
                final_visit_done=False, discontinuation_reason=None, died=False, missed_since_last_done=0)
    return lc.lifecycle_status(**{**base, **facts})


@pytest.mark.parametrize(("facts", "expected"), [
    ({"screening_status": "screening"}, lc.IN_SCREENING),
    ({"screening_status": "screen_failed", "died": True}, lc.SCREEN_FAILURE),
    ({"randomized": False, "infused": False}, lc.ENROLLED),
    ({"infused": False}, lc.RANDOMIZED),
    ({}, lc.ON_TREATMENT),
    ({"treatment_visit_closed": True}, lc.IN_FOLLOW_UP),
    ({"treatment_visit_closed": True, "final_visit_done": True}, lc.COMPLETED),
    ({"discontinuation_reason": "severe_infection"}, lc.DISCONTINUED),
    ({"discontinuation_reason": "withdrew_consent", "final_visit_done": True}, lc.WITHDRAWN),
    ({"missed_since_last_done": 2}, lc.LOST),
    ({"missed_since_last_done": 1}, lc.ON_TREATMENT),
    ({"missed_since_last_done": 3, "discontinuation_reason": "pregnancy"}, lc.LOST),
    ({"died": True, "discontinuation_reason": "withdrew_consent", "final_visit_done": True}, lc.DIED),
])
def test_the_rule_takes_the_first_that_holds(facts, expected):
    assert rule(**facts) == expected


def test_every_status_has_a_label_and_a_rank():
    values = [v for v, _ in lc.CHOICES]
    assert len(values) == 11 and sorted(lc.RANK.values()) == list(range(11))
    screening = [{"screening_status": "screening"}, {"screening_status": "screen_failed"}]
    assert {rule(**f) for f in screening} <= set(values)


@pytest.fixture
def trial(site, clinician):
    """One participant at each stage, each made through the services (as the demo does)."""
    made = {}
    made[lc.IN_SCREENING] = factories.screen(site, clinician)
    failed = factories.screen(site, clinician)
    factories.consent(failed, clinician)
    record_screen_failure(failed, user=clinician, reason_code="exc1", note="")
    made[lc.SCREEN_FAILURE] = failed
    made[lc.ENROLLED] = factories.enrolled_participant(site, clinician)
    made[lc.RANDOMIZED] = h.randomized_on(site, clinician, h.TODAY)

    def infused(month0):
        p = h.randomized_on(site, clinician, month0)
        m0 = h.visit(p, "m0")
        with time_machine.travel(h.at(month0, 11), tick=False):
            factories.prepared_bag(p, "m0")
        with time_machine.travel(h.at(month0, 13), tick=False):
            record_visit_date(m0, user=clinician, visit_date=month0)
            h.save_form("infusion", clinician, visit=m0, bag_blind_code=p.randomization.blind_code,
                        started_at=h.at(month0, 12), ended_at=h.at(month0, 12, 45), volume_ml=100,
                        infusion_reaction=False, reaction_description="")
        return p

    made[lc.ON_TREATMENT] = infused(add_months(h.TODAY, -2))
    follow = infused(h.MONTH0)
    record_visit_date(h.visit(follow, "m6"), user=clinician, visit_date=h.visit(follow, "m6").target_date)
    record_visit_date(h.visit(follow, "m7"), user=clinician, visit_date=h.visit(follow, "m7").target_date)
    made[lc.IN_FOLLOW_UP] = follow
    lost = infused(h.MONTH0)
    for code in ("m1", "m2"):
        record_visit_date(h.visit(lost, code), user=clinician, visit_date=h.visit(lost, code).target_date)
    for code in ("m3", "m4"):  # two missed after the last visit that took place
        record_missed(h.visit(lost, code), user=clinician, reason="Not reachable by phone")
    made[lc.LOST] = lost
    back = infused(h.MONTH0)  # missed two, then came back: not lost
    for code in ("m1", "m2"):
        record_missed(h.visit(back, code), user=clinician, reason="Travelling")
    record_visit_date(h.visit(back, "m3"), user=clinician, visit_date=h.visit(back, "m3").target_date)
    made["back"] = back
    stopped = infused(h.MONTH0)
    h.save_form("discontinuation", clinician, participant=stopped, date=h.TODAY - timedelta(days=20),
                reason="severe_infection", details="Pneumonia")
    made[lc.DISCONTINUED] = stopped
    withdrawn = infused(h.MONTH0)
    h.save_form("discontinuation", clinician, participant=withdrawn, date=h.TODAY - timedelta(days=20),
                reason="withdrew_consent", details="")
    made[lc.WITHDRAWN] = withdrawn
    died = infused(h.MONTH0)
    h.save_form("death", clinician, participant=died, date=h.TODAY - timedelta(days=10), cause="Sepsis",
                relatedness="Unlikely", autopsy=False)
    made[lc.DIED] = died
    done = infused(add_months(h.TODAY, -61))
    record_visit_date(h.visit(done, "m60"), user=clinician, visit_date=h.visit(done, "m60").target_date)
    made[lc.COMPLETED] = done
    return made


def test_the_annotation_equals_the_rule_for_every_stage(trial):
    found = {p.pk: p for p in lc.annotate_lifecycle(Participant.objects.all())}
    for stage, p in trial.items():
        row = found[p.pk]
        assert row.lifecycle == lc.lifecycle_status(**lc.facts_of(row)), stage
        assert row.lifecycle_rank == lc.RANK[row.lifecycle]
        assert row.lifecycle == (lc.ON_TREATMENT if stage == "back" else stage), stage
    # and every combination of the facts the annotation reads gives the rule's answer
    for values in itertools.product(["screening", "screen_failed", "enrolled"], [False, True], [False, True],
                                    [None, "pregnancy", "withdrew_consent"], [0, 2]):
        status, randomized, final, reason, missed = values
        assert rule(screening_status=status, randomized=randomized, final_visit_done=final,
                    discontinuation_reason=reason, missed_since_last_done=missed) in lc.RANK


def test_the_list_filters_and_sorts_by_status_in_a_fixed_number_of_queries(trial, client_for, clinician):
    client = client_for(clinician)
    for stage in (lc.DIED, lc.LOST, lc.IN_FOLLOW_UP, lc.ENROLLED):
        page = client.get(reverse("participant_list"), {"status": stage}).content.decode()
        assert page.count(f'data-lifecycle="{stage}"') == 1 and page.count("data-lifecycle=") == 1, stage
    page = client.get(reverse("participant_list"), {"sort": "status"}).content.decode()
    order = [chunk.split('"')[0] for chunk in page.split('data-lifecycle="')[1:]]
    assert [lc.RANK[s] for s in order] == sorted(lc.RANK[s] for s in order)
    assert client.get(reverse("participant_list"), {"status": "nonsense", "sort": "x;drop"}).status_code == 200
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("participant_list"), {"sort": "-status"})
    for _ in range(5):
        factories.enrolled_participant(trial[lc.ENROLLED].site, clinician)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("participant_list"), {"sort": "-status"})
    assert len(more) == len(few)


def test_the_participant_page_shows_the_status_and_each_visits_data_entry(trial, client_for, clinician):
    p = trial[lc.IN_FOLLOW_UP]
    page = client_for(clinician).get(reverse("participant_detail", args=[p.pk])).content.decode()
    assert 'data-lifecycle="in_follow_up"' in page and "In follow-up" in page
    assert '<tr data-visit="m0">' in page
    m0 = page.split('<tr data-visit="m0">')[1].split("</tr>")[0]
    assert "<span data-entered>1/7</span>" in m0  # the infusion of the seven month-0 forms
    home = client_for(clinician).get("/").content.decode()
    assert 'data-lifecycle-count="died">1<' in home and 'data-lifecycle-count="completed">1<' in home
