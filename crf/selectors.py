"""Reads of the crf module, always scoped to the user's sites (ARCHITECTURE.md rule 6)."""
from datetime import date, timedelta

from django.db.models import QuerySet
from django.http import Http404

from crf import registry
from crf.models import Visit
from crf.schedule import BY_CODE
from crf.status import status_expression
from edc.read_log import note_read


def visits_visible_to(user) -> QuerySet[Visit]:
    return Visit.objects.filter(participant__site__staff=user)


def get_visit_for(user, pk) -> Visit:
    try:
        visit = visits_visible_to(user).select_related("participant__site").get(pk=pk)
    except (Visit.DoesNotExist, ValueError):
        raise Http404
    note_read(user, visit.participant_id)  # the read-access log (edc.read_log)
    return visit


def with_status(qs: QuerySet[Visit], today: date) -> QuerySet[Visit]:
    return qs.annotate(status=status_expression(today))


def crfs_due(visit: Visit) -> list[registry.CrfType]:
    keys = set(BY_CODE[visit.code].crfs)
    return [t for t in registry.ordered() if t.key in keys and not t.log]


def crfs_optional(visit: Visit) -> list[registry.CrfType]:
    """Forms any visit may carry when they happen (e.g. a kidney biopsy after complete response)."""
    keys = set(BY_CODE[visit.code].crfs)
    return [t for t in registry.ordered() if t.any_visit and t.key not in keys and not t.log]


def crf_instances(visit: Visit) -> dict[str, object]:
    """The saved forms of one visit, keyed by CRF key (one query per form type)."""
    found = {}
    for t in registry.ordered():
        if t.log:
            continue
        obj = t.model.objects.filter(visit=visit).first()
        if obj is not None:
            found[t.key] = obj
    return found


def week_bounds(today: date) -> tuple[date, date]:
    start = today - timedelta(days=today.weekday())
    return start, start + timedelta(days=6)
