"""The declared schedule, windows, visit status with a frozen clock, visit recording, worklist."""
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crf.models import Visit
from crf.schedule import BY_CODE, SCHEDULE
from crf.services.visits import record_missed, record_visit_date
from crf.status import visit_status
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_schedule_is_months_0_1_to_12_then_yearly_to_60():
    assert [v.month for v in SCHEDULE] == [0, *range(1, 13), 24, 36, 48, 60]
    assert (BY_CODE["m3"].before, BY_CODE["m6"].before, BY_CODE["m12"].after, BY_CODE["m24"].before) == (
        7, 14, 14, 30)
    assert "infusion" in BY_CODE["m6"].crfs and "infusion" in BY_CODE["m0"].crfs
    assert "response" not in BY_CODE["m2"].crfs and "response" in BY_CODE["m3"].crfs
    assert [v.code for v in SCHEDULE if "biospecimen" in v.crfs] == ["m0", "m6", "m12", "m24", "m36", "m48", "m60"]


def test_windows_use_calendar_months():
    month0 = date(2025, 1, 31)
    assert BY_CODE["m1"].target(month0) == date(2025, 2, 28)  # clamped to the month's end
    assert BY_CODE["m6"].window(month0) == (date(2025, 7, 17), date(2025, 8, 14))
    assert BY_CODE["m24"].window(month0) == (date(2027, 1, 1), date(2027, 3, 2))


@pytest.mark.parametrize("today, expected", [
    (date(2025, 3, 7), "scheduled"),   # the day before the window opens
    (date(2025, 3, 8), "open"),        # first day of the window
    (date(2025, 3, 22), "open"),       # last day of the window
    (date(2025, 3, 23), "overdue"),    # the day after
])
def test_status_at_the_window_boundaries(today, expected):
    assert visit_status(visit_date=None, missed_reason="", not_applicable=False,
                        window_start=date(2025, 3, 8), window_end=date(2025, 3, 22), today=today) == expected


def test_done_missed_and_not_applicable_win_over_the_clock():
    common = dict(window_start=date(2025, 3, 8), window_end=date(2025, 3, 22), today=date(2026, 1, 1))
    assert visit_status(visit_date=date(2025, 3, 9), missed_reason="", not_applicable=False, **common) == "done"
    assert visit_status(visit_date=None, missed_reason="travel", not_applicable=False, **common) == "missed"
    assert visit_status(visit_date=None, missed_reason="", not_applicable=True, **common) == "not_applicable"


@pytest.fixture
def randomized_last_year(site, clinician):
    factories.strata_and_list()
    with time_machine.travel(date(2025, 1, 15), tick=False):
        return factories.randomized_participant(site, clinician)


def test_visits_are_created_at_randomization(randomized_last_year):
    p = randomized_last_year
    visits = list(p.visits.order_by("month"))
    assert len(visits) == 17 and visits[0].target_date == p.randomization.month0_date == date(2025, 1, 15)
    assert visits[6].code == "m6" and visits[6].target_date == date(2025, 7, 15)
    assert Visit.history.filter(participant=p).count() == 17


def test_the_sql_status_matches_the_rule_with_a_frozen_clock(randomized_last_year, clinician):
    from crf.selectors import with_status
    p = randomized_last_year
    with time_machine.travel(date(2025, 3, 16), tick=False):
        m1 = p.visits.get(code="m1")
        record_visit_date(m1, user=clinician, visit_date=date(2025, 2, 14))
        statuses = dict(with_status(p.visits.all(), date(2025, 3, 16)).values_list("code", "status"))
    assert statuses["m1"] == "done"
    assert statuses["m2"] == "open"  # 2025-03-15 ± 7
    assert statuses["m0"] == "overdue"
    assert statuses["m3"] == "scheduled"


def test_a_future_or_pre_baseline_visit_date_is_refused(randomized_last_year, clinician):
    p = randomized_last_year
    v = p.visits.get(code="m1")
    with pytest.raises(ValidationError, match="future"):
        record_visit_date(v, user=clinician, visit_date=date.today() + timedelta(days=2))
    with pytest.raises(ValidationError, match="precede month 0"):
        record_visit_date(v, user=clinician, visit_date=date(2024, 12, 1))
    v.refresh_from_db()
    assert v.visit_date is None and v.history.count() == 1


def test_missing_needs_a_reason_and_a_done_visit_cannot_be_missed(randomized_last_year, clinician):
    p = randomized_last_year
    v = p.visits.get(code="m2")
    with pytest.raises(ValidationError):
        record_missed(v, user=clinician, reason="  ")
    record_visit_date(v, user=clinician, visit_date=date(2025, 3, 14))
    with pytest.raises(ValidationError, match="took place"):
        record_missed(v, user=clinician, reason="no show")
    v.refresh_from_db()
    assert v.missed_reason == "" and v.visit_date == date(2025, 3, 14)


def test_correcting_a_visit_date_needs_a_reason(randomized_last_year, clinician):
    p = randomized_last_year
    v = p.visits.get(code="m2")
    record_visit_date(v, user=clinician, visit_date=date(2025, 3, 14))
    with pytest.raises(ValidationError, match="reason"):
        record_visit_date(v, user=clinician, visit_date=date(2025, 3, 15))
    record_visit_date(v, user=clinician, visit_date=date(2025, 3, 15), reason="typo")
    assert v.history.first().history_change_reason == "typo"


def worklist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("worklist"))
    assert response.status_code == 200
    return len(ctx)


def test_the_worklist_query_count_is_the_same_for_10_and_200_participants(site, clinician, client_for):
    factories.strata_and_list(capacity=60)
    c = client_for(clinician)
    therapies = ["gc_mpaa", "gc_cyc", "gc_belimumab", "gc_mpaa_cni"]
    for i in range(10):
        factories.randomized_participant(site, clinician, prior_therapy=therapies[i % 4])
    c.get(reverse("worklist"))
    ten = worklist_queries(c)
    for i in range(190):
        factories.randomized_participant(site, clinician, prior_therapy=therapies[i % 4])
    two_hundred = worklist_queries(c)
    assert ten == two_hundred


def test_the_worklist_lists_due_overdue_and_missed(randomized_last_year, clinician, client_for):
    p = randomized_last_year
    record_missed(p.visits.get(code="m1"), user=clinician, reason="hospitalised elsewhere")
    with time_machine.travel(date(2025, 3, 14), tick=False):
        r = client_for(clinician).get(reverse("worklist"))
    lists = {key: [v.code for v in page] for key, _title, page in r.context["tables"]}
    assert lists == {"due": ["m2"], "overdue": ["m0"], "missed": ["m1"]}


def test_the_calendar_and_grid_render(randomized_last_year, clinician, client_for):
    c = client_for(clinician)
    r = c.get(reverse("visit_calendar") + "?month=2025-07")
    assert r.status_code == 200 and p_code(randomized_last_year).encode() in r.content
    assert c.get(reverse("visit_calendar") + "?month=garbage").status_code == 200
    r = c.get(reverse("schedule_grid", args=[randomized_last_year.pk]))
    assert r.status_code == 200 and b"M60" in r.content


def p_code(p):
    return p.participant_code
