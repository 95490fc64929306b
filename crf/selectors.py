"""Reads of the crf module, always scoped to the user's sites (docs/ARCHITECTURE.md rule 6)."""
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from crf import registry
from crf.models import Visit
from crf.schedule import BY_CODE
from crf.status import status_expression
from edc.read_log import note_read
from edc.sites import note_member


def visits_visible_to(user) -> QuerySet[Visit]:
    return Visit.objects.filter(participant__site__staff=user)


def get_visit_for(user, pk) -> Visit:
    try:
        visit = visits_visible_to(user).select_related("participant__site").get(pk=pk)
    except (Visit.DoesNotExist, ValueError):
        raise Http404
    note_read(user, visit.participant_id)  # the read-access log (edc.read_log)
    note_member(user, visit.participant.site)  # loaded through the user's membership
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


DUE_DAYS = 7  # "due" on the worklist and the home card: the target date within the next 7 days


def due_horizon(today: date) -> date:
    """The last day a visit counts as due: today + 7 days, whatever the day of the week
    (docs/DAILY_USE.md, "Worklist")."""
    return today + timedelta(days=DUE_DAYS)


# --- forms, their workflow state and their queries (docs/WORKFLOW.md) -----------------------------

def get_form_for(user, key: str, object_pk):
    """A saved form of a participant at one of the user's sites (404 otherwise)."""
    crf_type = registry.get(key)
    if crf_type is None:
        raise Http404
    obj = crf_type.model.objects.filter(pk=object_pk, participant__site__staff=user).select_related(
        "participant__site").first()
    if obj is None:
        raise Http404
    note_read(user, obj.participant_id)  # the read-access log (edc.read_log)
    return crf_type, obj


def form_url(crf_type, obj) -> str:
    if crf_type.log:
        return f"/participants/{obj.participant_id}/log/{crf_type.key}/{obj.pk}/"
    return f"/visits/{obj.visit_id}/crf/{crf_type.key}/"


def field_choices(crf_type) -> list[tuple[str, str]]:
    """The form's fields by their label in the reader's language."""
    return [(name, str(field.label)) for name, field in crf_type.form().fields.items()]


def field_label(crf_type, name: str) -> str:
    """A field's label in the reader's language ("" for the whole form)."""
    if not name:
        return ""
    if crf_type is not None:
        field = crf_type.form.base_fields.get(name)
        if field is not None and field.label:
            return str(field.label)
        try:
            return str(crf_type.model._meta.get_field(name).verbose_name)
        except Exception:  # a field since removed from the model: show its name
            pass
    return name


def queries_visible_to(user) -> QuerySet:
    from crf.models import Query

    return Query.objects.filter(participant__site__staff=user)


def get_query_for(user, query_pk):
    """One query the user may see (404 otherwise), with the participant read noted: its page shows
    the field's current value and history (edc.read_log)."""
    from django.shortcuts import get_object_or_404

    q = get_object_or_404(queries_visible_to(user).select_related("participant__site", "visit"), pk=query_pk)
    note_read(user, q.participant_id)  # the read-access log (edc.read_log)
    return q


def open_query_counts(user) -> dict:
    from crf.models import Query

    return queries_visible_to(user).aggregate(
        open=Count("id", filter=Q(status=Query.Status.OPEN)),
        answered=Count("id", filter=Q(status=Query.Status.ANSWERED)))


QUERY_AGES = (7, 14, 30)  # "older than" filters of the query list, in days


def query_rows(user, *, status: str = "open", mine: bool = False, participant: str = "",
               older_than: int | None = None, today: date, limit: int = 500) -> list:
    """The query list: each query with its form and field in the reader's language and its age in
    days (from when it was raised), oldest first when filtered by age."""
    from crf.models import Query

    qs = queries_visible_to(user).select_related("participant", "visit", "raised_by")
    if status in Query.Status.values:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(raised_by=user)
    if participant:
        qs = qs.filter(participant__participant_code=participant)
    if older_than:
        qs = qs.filter(raised_at__date__lt=today - timedelta(days=older_than)).order_by("raised_at")
    else:
        qs = qs.order_by("-raised_at")
    rows = list(qs[:limit])
    for q in rows:
        crf_type = registry.get(q.crf_key)
        q.form_label = str(crf_type.label) if crf_type else q.crf_key
        q.field_label = field_label(crf_type, q.field_name)
        q.age_days = (today - timezone.localtime(q.raised_at).date()).days
    return rows


def query_counts(user) -> dict:
    return dict(queries_visible_to(user).values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def display_value(obj, name: str) -> str:
    """A stored value as the reader should see it (the label of a choice, not its code)."""
    if obj is None or not name:
        return ""
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return ""
    value = getattr(obj, field.attname, None)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def field_history(obj, name: str, limit: int = 50) -> list[dict]:
    """Every stored value of one field, oldest first: when, who, the value and the reason given."""
    if obj is None or not name or not hasattr(obj, "history"):
        return []
    try:
        field = obj._meta.get_field(name)
    except Exception:
        return []
    out, last = [], object()
    for h in obj.history.select_related("history_user").order_by("history_date", "history_id")[:limit]:
        value = getattr(h, field.attname, None)
        if value == last:
            continue
        last = value
        choices = dict(field.flatchoices) if field.choices else {}
        shown = "—" if value in (None, "") else str(choices.get(value, value))
        out.append({"at": h.history_date, "who": getattr(h.history_user, "printed_name", "") or "EDC",
                    "value": shown, "reason": h.history_change_reason or ""})
    return out
