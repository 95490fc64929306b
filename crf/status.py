"""Visit status, one rule for pages and SQL (issue 4): scheduled, open, overdue, done, missed, not
applicable. `visit_status()` is the pure rule; `status_expression()` is the same rule for a query,
so worklists filter and count in the database with a fixed number of queries."""
from datetime import date

from django.db.models import Case, CharField, Q, Value, When


def visit_status(*, visit_date: date | None, missed_reason: str, not_applicable: bool,
                 window_start: date, window_end: date, today: date) -> str:
    if visit_date is not None:
        return "done"
    if missed_reason:
        return "missed"
    if not_applicable:
        return "not_applicable"
    if today < window_start:
        return "scheduled"
    if today <= window_end:
        return "open"
    return "overdue"


def status_expression(today: date) -> Case:
    return Case(
        When(visit_date__isnull=False, then=Value("done")),
        When(~Q(missed_reason=""), then=Value("missed")),
        When(not_applicable=True, then=Value("not_applicable")),
        When(window_start__gt=today, then=Value("scheduled")),
        When(window_end__gte=today, then=Value("open")),
        default=Value("overdue"), output_field=CharField())
