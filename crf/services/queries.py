"""Queries: a monitor or data manager raises one on a field of a form; the site answers,
and may correct the value with a reason; the reviewer closes or re-opens it. Soft edit-check
warnings saved anyway become automatic queries."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crf.models import Query, QueryMessage
from edc.access import has_any_role
from edc.audit import save_changed, save_created
from edc.roles import DATA_ENTRY, DATA_MANAGER, MONITOR
from edc.sites import require_site_member

REVIEWERS = {MONITOR, DATA_MANAGER}


def _message(q: Query, user, kind: str, text: str, old: str = "", new: str = "") -> None:
    QueryMessage.objects.create(query=q, kind=kind, author=user, text=text, old_value=old, new_value=new)


def raise_query(obj, *, crf_key: str, user, field_name: str, text: str, due_date=None) -> Query:
    require_site_member(user, obj.participant.site)
    if not has_any_role(user, REVIEWERS):
        raise PermissionDenied
    errors = {}
    if not text.strip():
        errors["text"] = _("Write the query.")
    if field_name and field_name not in {f.name for f in obj._meta.concrete_fields}:
        errors["field_name"] = _("This form has no such field.")
    if due_date and due_date < timezone.localdate():
        errors["due_date"] = _("The answer-by date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        q = save_created(Query(participant=obj.participant, visit=getattr(obj, "visit", None), crf_key=crf_key,
                               object_id=obj.pk, field_name=field_name, text=text.strip(), due_date=due_date,
                               raised_by=user, raised_at=timezone.now()), user)
        _message(q, user, QueryMessage.Kind.RAISED, q.text)
    return q


def auto_queries(obj, *, crf_key: str, warnings, user) -> int:
    """Soft warnings saved anyway become automatic queries (one open query per warning code)."""
    n = 0
    for w in warnings:
        if Query.objects.filter(object_id=obj.pk, warning_code=w.code).exclude(status=Query.Status.CLOSED).exists():
            continue
        q = save_created(Query(participant=obj.participant, visit=getattr(obj, "visit", None), crf_key=crf_key,
                               object_id=obj.pk, field_name=w.field, text=str(w.message),
                               origin=Query.Origin.EDIT_CHECK, warning_code=w.code, raised_by=None,
                               raised_at=timezone.now()), user, _("Edit-check warning saved anyway"))
        _message(q, user, QueryMessage.Kind.RAISED, q.text)
        n += 1
    return n


def answer_query(q: Query, *, user, text: str, old_value: str = "", new_value: str = "") -> None:
    """The site's answer (with a corrected value: crf.services.query_answers)."""
    require_site_member(user, q.participant.site)
    if not has_any_role(user, DATA_ENTRY):
        raise PermissionDenied
    if q.status == Query.Status.CLOSED:
        raise ValidationError(_("This query is closed."))
    if not text.strip():
        raise ValidationError({"text": _("Write the answer.")})
    q.status = Query.Status.ANSWERED
    with transaction.atomic():
        save_changed(q, user, _("Query answered"))
        _message(q, user, QueryMessage.Kind.ANSWERED, text.strip(), old_value, new_value)


def close_query(q: Query, *, user, text: str = "") -> None:
    require_site_member(user, q.participant.site)
    if not has_any_role(user, REVIEWERS):
        raise PermissionDenied
    if q.status == Query.Status.CLOSED:
        raise ValidationError(_("This query is already closed."))
    q.status, q.closed_at = Query.Status.CLOSED, timezone.now()
    with transaction.atomic():
        save_changed(q, user, _("Query closed"))
        _message(q, user, QueryMessage.Kind.CLOSED, text.strip() or _("Closed"))


def reopen_query(q: Query, *, user, text: str) -> None:
    require_site_member(user, q.participant.site)
    if not has_any_role(user, REVIEWERS):
        raise PermissionDenied
    if q.status != Query.Status.CLOSED:
        raise ValidationError(_("Only a closed query can be re-opened."))
    if not text.strip():
        raise ValidationError({"text": _("Say why the query is re-opened.")})
    q.status, q.closed_at = Query.Status.OPEN, None
    with transaction.atomic():
        save_changed(q, user, _("Query re-opened"))
        _message(q, user, QueryMessage.Kind.REOPENED, text.strip())
