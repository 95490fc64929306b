"""The coordinator's week: due this week, overdue, missed, per site; the calendar; the schedule of
assessments grid per participant (issue 4 §2)."""
import calendar as cal
from collections import defaultdict
from datetime import date, timedelta

from django.shortcuts import render
from django.utils import timezone

from crf import registry
from crf.schedule import SCHEDULE
from crf.selectors import visits_visible_to, week_bounds, with_status
from crf.status import due_q, status_q
from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for, sites_of

LIST_LIMIT = 200


def _today(request) -> date:
    return timezone.localdate()


@allow(roles.SITE_STAFF)
def worklist(request):
    today = _today(request)
    week_start, week_end = week_bounds(today)
    sites = list(sites_of(request.user))
    site_code = request.GET.get("site", "")
    qs = with_status(visits_visible_to(request.user), today).select_related("participant__site")
    if site_code:
        qs = qs.filter(participant__site__code=site_code)
    due = qs.filter(due_q(today, week_end)).order_by("target_date")[:LIST_LIMIT]
    overdue = qs.filter(status_q("overdue", today)).order_by("window_end")[:LIST_LIMIT]
    missed = qs.filter(status_q("missed", today)).order_by("-target_date")[:LIST_LIMIT]
    return render(request, "crf/worklist.html", {
        "today": today, "week_start": week_start, "week_end": week_end, "sites": sites,
        "site_code": site_code, "due": due, "overdue": overdue, "missed": missed})


@allow(roles.SITE_STAFF)
def visit_calendar(request):
    today = _today(request)
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    days = cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    qs = with_status(visits_visible_to(request.user), today).filter(
        target_date__range=(days[0][0], days[-1][-1])).select_related("participant")
    by_day = defaultdict(list)
    for v in qs.order_by("participant__participant_code"):
        by_day[v.target_date].append(v)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = (first + timedelta(days=32)).replace(day=1)
    weeks = [[(d, by_day.get(d, []), d.month == first.month) for d in week] for week in days]
    return render(request, "crf/calendar.html", {
        "first": first, "weeks": weeks, "today": today, "prev": prev_month, "next": next_month})


@allow(roles.SITE_STAFF)
def schedule_grid(request, pk):
    """Schedule of assessments: visits × forms, each cell the form's status at that visit."""
    participant = get_participant_for(request.user, pk)
    today = _today(request)
    visits = list(with_status(participant.visits.all(), today).order_by("month"))
    types = [t for t in registry.ordered() if not t.log]
    saved = defaultdict(dict)
    for t in types:
        for obj in t.model.objects.filter(participant=participant).only("id", "visit_id", "status"):
            saved[t.key][obj.visit_id] = obj
    due = {v.code: set(v.crfs) for v in SCHEDULE}
    rows = []
    for t in types:
        cells = []
        for v in visits:
            obj = saved[t.key].get(v.pk)
            if obj is not None:
                cells.append((v, obj.status, obj))
            elif t.key in due.get(v.code, set()):
                cells.append((v, "missing" if v.status in ("open", "overdue", "done") else "due", None))
            else:
                cells.append((v, "", None))
        rows.append((t, cells))
    return render(request, "crf/schedule_grid.html", {
        "p": participant, "visits": visits, "rows": rows,
        "logs": [t for t in registry.ordered() if t.log]})
