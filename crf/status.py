"""Visit status, one rule for pages and SQL: scheduled, open, overdue, done, missed, not
applicable. `visit_status()` is the pure rule; `status_expression()` is the same rule for a query,
so worklists filter and count in the database with a fixed number of queries; `status_q()` is the
same rule again as a filter an index can serve (the partial indexes on crf.Visit), so the worklist
and the home card read only the visits they show however many there are."""
from datetime import date

from django.db.models import Case, CharField, Q, Value, When

STATUSES = ("done", "missed", "not_applicable", "scheduled", "open", "overdue")


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


def pending_q() -> Q:
    """No outcome recorded yet: scheduled, open or overdue (indexed: Visit.Meta.indexes)."""
    return Q(visit_date__isnull=True, missed_reason="", not_applicable=False)


def status_q(status: str, today: date) -> Q:
    """The visits whose `visit_status(...)` is `status` on `today`."""
    if status == "done":
        return Q(visit_date__isnull=False)
    if status == "missed":
        return Q(visit_date__isnull=True) & ~Q(missed_reason="")
    if status == "not_applicable":
        return Q(visit_date__isnull=True, missed_reason="", not_applicable=True)
    if status == "scheduled":
        return pending_q() & Q(window_start__gt=today)
    if status == "open":
        return pending_q() & Q(window_start__lte=today, window_end__gte=today)
    if status == "overdue":
        # window_end < today implies target_date < today: said too, so the target-date index serves it
        return pending_q() & Q(window_end__lt=today, target_date__lt=today)
    raise ValueError(f"unknown visit status {status!r}")


def due_q(today: date, week_end: date) -> Q:
    """Due by the end of the week: open or scheduled with the target on or before `week_end`."""
    return pending_q() & Q(window_end__gte=today, target_date__lte=week_end)
