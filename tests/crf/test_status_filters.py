"""crf.status.status_q and due_q (the worklist's and home card's indexed filters) select exactly the
visits whose visit_status() is that status, for every combination of the facts it reads."""
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from crf.models import Visit
from crf.selectors import week_bounds
from crf.status import STATUSES, due_q, status_q, visit_status
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(site, clinician):
    p = factories.enrolled_participant(site, clinician)
    today = timezone.localdate()
    windows = {"past": (-20, -10), "open": (-3, 3), "future": (10, 20), "this week": (1, 9)}
    out = []
    combos = itertools.product([None, today - timedelta(days=12)], ["", "Travelling"], [False, True], windows.values())
    for n, (visit_date, missed, na, (start, end)) in enumerate(combos):
        out.append(Visit.objects.create(
            participant=p, code=f"t{n}", month=n, target_date=today + timedelta(days=(start + end) // 2),
            window_start=today + timedelta(days=start), window_end=today + timedelta(days=end),
            visit_date=visit_date, missed_reason=missed, not_applicable=na))
    return today, out


def _status(v, today):
    return visit_status(visit_date=v.visit_date, missed_reason=v.missed_reason, not_applicable=v.not_applicable,
                        window_start=v.window_start, window_end=v.window_end, today=today)


def test_each_status_filter_selects_exactly_that_status(visits):
    today, made = visits
    for status in STATUSES:
        expected = {v.pk for v in made if _status(v, today) == status}
        assert set(Visit.objects.filter(status_q(status, today)).values_list("pk", flat=True)) == expected, status
    with pytest.raises(ValueError):
        status_q("late", today)


def test_due_this_week_is_open_or_scheduled_with_the_target_by_the_week_end(visits):
    today, made = visits
    _start, week_end = week_bounds(today)
    expected = {v.pk for v in made if _status(v, today) in ("open", "scheduled")
                and v.target_date <= week_end and v.window_end >= today}
    assert set(Visit.objects.filter(due_q(today, week_end)).values_list("pk", flat=True)) == expected
