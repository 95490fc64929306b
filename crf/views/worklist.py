"""The coordinator's week: due this week, overdue, missed, per site; the calendar; the schedule of
assessments grid per participant."""
import calendar as cal
import csv
from collections import defaultdict
from datetime import date, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crf import registry
from crf.schedule import SCHEDULE
from crf.selectors import due_horizon, visits_visible_to, with_status
from crf.status import due_q, status_q
from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for, sites_of

PAGE_SIZE = 25
PRINT_LIMIT = 1000  # rows per section on the print view and in the CSV
SORTS = {  # ?sort= -> ORDER BY (the last keys make the order total)
    "target": ("target_date", "participant__participant_code", "month"),
    "-target": ("-target_date", "participant__participant_code", "month"),
    "participant": ("participant__participant_code", "month"),
    "-participant": ("-participant__participant_code", "month"),
    "site": ("participant__site__name", "target_date", "participant__participant_code"),
    "-site": ("-participant__site__name", "target_date", "participant__participant_code"),
}
DEFAULT_SORT = {"due": "target", "overdue": "target", "missed": "-target"}
SECTIONS = (("due", _("Due in the next 7 days")), ("overdue", _("Overdue")), ("missed", _("Missed")))


def _today(request) -> date:
    return timezone.localdate()


def _sections(request, today: date) -> tuple[dict, str, str]:
    """The three lists of the worklist as querysets, sorted; the site filter and sort applied."""
    site_code = request.GET.get("site", "")
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else ""
    qs = with_status(visits_visible_to(request.user), today).select_related("participant__site")
    if site_code:
        qs = qs.filter(participant__site__code=site_code)
    filters = {"due": due_q(today, due_horizon(today)), "overdue": status_q("overdue", today),
               "missed": status_q("missed", today)}
    return ({key: qs.filter(q).order_by(*SORTS[sort or DEFAULT_SORT[key]]) for key, q in filters.items()},
            site_code, sort)


@allow(roles.SITE_STAFF)
def worklist(request):
    today = _today(request)
    sections, site_code, sort = _sections(request, today)
    filters = urlencode({k: v for k, v in (("site", site_code),) if v})
    query = urlencode({k: v for k, v in (("site", site_code), ("sort", sort)) if v})
    tables = [(key, title, Paginator(sections[key], PAGE_SIZE).get_page(request.GET.get(f"{key}_page")))
              for key, title in SECTIONS]
    return render(request, "crf/worklist.html", {
        "today": today, "horizon": due_horizon(today), "sites": list(sites_of(request.user)),
        "site_code": site_code, "sort": sort, "filters": filters, "query": query, "tables": tables})


@allow(roles.SITE_STAFF)
def worklist_print(request):
    """The worklist on paper: every row of each list (up to PRINT_LIMIT), no navigation."""
    today = _today(request)
    sections, site_code, sort = _sections(request, today)
    return render(request, "crf/worklist_print.html", {
        "today": today, "horizon": due_horizon(today), "site_code": site_code,
        "tables": [(key, title, list(sections[key][:PRINT_LIMIT])) for key, title in SECTIONS]})


@allow(roles.SITE_STAFF)
def worklist_csv(request):
    """The worklist as CSV (UTF-8 with BOM, for Excel): one row per visit, the list it is on."""
    today = _today(request)
    sections, _site, _sort = _sections(request, today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="worklist-{today.isoformat()}.csv"'
    response.write("\ufeff")
    out = csv.writer(response)
    out.writerow(["list", "participant", "visit", "target_date", "window_start", "window_end", "site",
                  "status", "reason_missed"])
    for key, _title in SECTIONS:
        for v in sections[key][:PRINT_LIMIT]:
            out.writerow([key, v.participant.participant_code, v.code, v.target_date.isoformat(),
                          v.window_start.isoformat(), v.window_end.isoformat(), v.participant.site.name,
                          v.status, v.missed_reason])
    return response


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
